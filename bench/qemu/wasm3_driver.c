/* The firmware's side of wasm3: load a module into a fresh runtime, call
 * its `int f(int)` export. wasm3 0.4.7's API passes arguments as strings
 * (m3_CallWithArgs) and leaves the result in the first stack slot. */

#include "wasm3.h"
#include "m3_env.h"

/* NULL on success, else wasm3's message. */
const char *wasm3_load(const uint8_t *wasm, uint32_t len, uint32_t stack_bytes, const char *name, IM3Runtime *rt,
                       IM3Function *fn)
{
    IM3Environment env = m3_NewEnvironment();
    if (!env)
        return "m3_NewEnvironment: out of memory";
    *rt = m3_NewRuntime(env, stack_bytes, NULL);
    if (!*rt)
        return "m3_NewRuntime: out of memory";
    IM3Module module;
    M3Result r = m3_ParseModule(env, &module, wasm, len);
    if (r)
        return r;
    r = m3_LoadModule(*rt, module);
    if (r)
        return r;
    return m3_FindFunction(fn, *rt, name);
}

const char *wasm3_call(IM3Runtime rt, IM3Function fn, int n, uint32_t *result)
{
    char arg[12], *p = arg + sizeof arg;
    unsigned v = n < 0 ? 0u - (unsigned)n : (unsigned)n;
    *--p = 0;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    if (n < 0)
        *--p = '-';
    const char *argv[1] = { p };
    M3Result r = m3_CallWithArgs(fn, 1, argv);
    if (r)
        return r;
    *result = *(uint32_t *)rt->stack;
    return NULL;
}
