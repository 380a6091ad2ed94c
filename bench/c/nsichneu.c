/* A large state machine (Embench-IoT nsichneu style): 64 states in one
 * switch, each testing and updating a handful of counters ("places" of a
 * Petri net, as nsichneu's) on every input event, `n` rounds of 512 events
 * from an LCG. Stresses a big jump table, unpredictable branches and
 * many small loads and stores of globals. The switch body was generated
 * once by a script (cases differ in constants and the places they touch)
 * and is committed as plain C. No libc: builds the same for native,
 * wasm32 and .espb. */

static int places[16];

static unsigned step(unsigned state, unsigned event)
{
    switch (state) {
    case 0:
        if (places[10] < 12 && (event & 3u) != 0) {
            places[10] -= 1;
            places[2] += 1;
            return 12u;
        }
        if (places[6] > places[2]) {
            places[6] -= 1;
            places[10] += (int)(event & 7u);
            return 46u;
        }
        places[2] ^= 1;
        return (state + event) & 63u;
    case 1:
        if (places[1] >= -17 && (event & 1u) != 0) {
            places[1] -= 7;
            places[15] += 1;
            return 30u;
        }
        if (places[6] > places[15]) {
            places[6] -= 1;
            places[1] += (int)(event & 7u);
            return 11u;
        }
        places[15] ^= 7;
        return (state + event) & 63u;
    case 2:
        if (places[7] > -18 && (event & 3u) != 0) {
            places[7] -= 1;
            places[10] += 5;
            return 50u;
        }
        if (places[14] > places[10]) {
            places[14] -= 5;
            places[7] += (int)(event & 7u);
            return 6u;
        }
        places[10] ^= 1;
        return (state + event) & 63u;
    case 3:
        if (places[9] < 17 && (event & 3u) != 0) {
            places[9] -= 9;
            places[6] += 1;
            return 39u;
        }
        if (places[2] > places[6]) {
            places[2] -= 1;
            places[9] += (int)(event & 7u);
            return 23u;
        }
        places[6] ^= 9;
        return (state + event) & 63u;
    case 4:
        if (places[11] >= 14 && (event & 15u) != 0) {
            places[11] -= 2;
            places[1] += 5;
            return 7u;
        }
        if (places[8] > places[1]) {
            places[8] -= 5;
            places[11] += (int)(event & 7u);
            return 26u;
        }
        places[1] ^= 2;
        return (state + event) & 63u;
    case 5:
        if (places[10] > -5 && (event & 1u) != 0) {
            places[10] -= 8;
            places[7] += 3;
            return 38u;
        }
        if (places[9] > places[7]) {
            places[9] -= 3;
            places[10] += (int)(event & 7u);
            return 31u;
        }
        places[7] ^= 8;
        return (state + event) & 63u;
    case 6:
        if (places[9] < 12 && (event & 15u) != 0) {
            places[9] -= 6;
            places[8] += 4;
            return 36u;
        }
        if (places[7] > places[8]) {
            places[7] -= 4;
            places[9] += (int)(event & 7u);
            return 9u;
        }
        places[8] ^= 6;
        return (state + event) & 63u;
    case 7:
        if (places[5] < 15 && (event & 7u) != 0) {
            places[5] -= 3;
            places[12] += 4;
            return 53u;
        }
        if (places[15] > places[12]) {
            places[15] -= 4;
            places[5] += (int)(event & 7u);
            return 5u;
        }
        places[12] ^= 3;
        return (state + event) & 63u;
    case 8:
        if (places[10] < -3 && (event & 15u) != 0) {
            places[10] -= 8;
            places[11] += 5;
            return 58u;
        }
        if (places[5] > places[11]) {
            places[5] -= 5;
            places[10] += (int)(event & 7u);
            return 8u;
        }
        places[11] ^= 8;
        return (state + event) & 63u;
    case 9:
        if (places[2] >= 2 && (event & 1u) != 0) {
            places[2] -= 5;
            places[0] += 5;
            return 57u;
        }
        if (places[11] > places[0]) {
            places[11] -= 5;
            places[2] += (int)(event & 7u);
            return 36u;
        }
        places[0] ^= 5;
        return (state + event) & 63u;
    case 10:
        if (places[14] <= -12 && (event & 3u) != 0) {
            places[14] -= 2;
            places[5] += 4;
            return 7u;
        }
        if (places[2] > places[5]) {
            places[2] -= 4;
            places[14] += (int)(event & 7u);
            return 27u;
        }
        places[5] ^= 2;
        return (state + event) & 63u;
    case 11:
        if (places[12] >= 15 && (event & 7u) != 0) {
            places[12] -= 8;
            places[6] += 1;
            return 21u;
        }
        if (places[13] > places[6]) {
            places[13] -= 1;
            places[12] += (int)(event & 7u);
            return 57u;
        }
        places[6] ^= 8;
        return (state + event) & 63u;
    case 12:
        if (places[4] >= -6 && (event & 3u) != 0) {
            places[4] -= 9;
            places[13] += 3;
            return 53u;
        }
        if (places[6] > places[13]) {
            places[6] -= 3;
            places[4] += (int)(event & 7u);
            return 45u;
        }
        places[13] ^= 9;
        return (state + event) & 63u;
    case 13:
        if (places[2] > -4 && (event & 7u) != 0) {
            places[2] -= 4;
            places[15] += 2;
            return 1u;
        }
        if (places[14] > places[15]) {
            places[14] -= 2;
            places[2] += (int)(event & 7u);
            return 62u;
        }
        places[15] ^= 4;
        return (state + event) & 63u;
    case 14:
        if (places[0] < 9 && (event & 15u) != 0) {
            places[0] -= 9;
            places[2] += 3;
            return 40u;
        }
        if (places[6] > places[2]) {
            places[6] -= 3;
            places[0] += (int)(event & 7u);
            return 16u;
        }
        places[2] ^= 9;
        return (state + event) & 63u;
    case 15:
        if (places[12] > -16 && (event & 3u) != 0) {
            places[12] -= 2;
            places[6] += 4;
            return 51u;
        }
        if (places[14] > places[6]) {
            places[14] -= 4;
            places[12] += (int)(event & 7u);
            return 7u;
        }
        places[6] ^= 2;
        return (state + event) & 63u;
    case 16:
        if (places[14] < 16 && (event & 3u) != 0) {
            places[14] -= 6;
            places[2] += 5;
            return 6u;
        }
        if (places[1] > places[2]) {
            places[1] -= 5;
            places[14] += (int)(event & 7u);
            return 13u;
        }
        places[2] ^= 6;
        return (state + event) & 63u;
    case 17:
        if (places[3] > 20 && (event & 7u) != 0) {
            places[3] -= 1;
            places[5] += 1;
            return 26u;
        }
        if (places[9] > places[5]) {
            places[9] -= 1;
            places[3] += (int)(event & 7u);
            return 48u;
        }
        places[5] ^= 1;
        return (state + event) & 63u;
    case 18:
        if (places[11] >= 10 && (event & 15u) != 0) {
            places[11] -= 8;
            places[9] += 1;
            return 14u;
        }
        if (places[5] > places[9]) {
            places[5] -= 1;
            places[11] += (int)(event & 7u);
            return 62u;
        }
        places[9] ^= 8;
        return (state + event) & 63u;
    case 19:
        if (places[9] > 13 && (event & 1u) != 0) {
            places[9] -= 2;
            places[1] += 3;
            return 33u;
        }
        if (places[2] > places[1]) {
            places[2] -= 3;
            places[9] += (int)(event & 7u);
            return 61u;
        }
        places[1] ^= 2;
        return (state + event) & 63u;
    case 20:
        if (places[6] < -4 && (event & 7u) != 0) {
            places[6] -= 3;
            places[8] += 5;
            return 3u;
        }
        if (places[5] > places[8]) {
            places[5] -= 5;
            places[6] += (int)(event & 7u);
            return 38u;
        }
        places[8] ^= 3;
        return (state + event) & 63u;
    case 21:
        if (places[5] > -5 && (event & 15u) != 0) {
            places[5] -= 4;
            places[15] += 5;
            return 42u;
        }
        if (places[12] > places[15]) {
            places[12] -= 5;
            places[5] += (int)(event & 7u);
            return 28u;
        }
        places[15] ^= 4;
        return (state + event) & 63u;
    case 22:
        if (places[7] <= 10 && (event & 7u) != 0) {
            places[7] -= 8;
            places[3] += 3;
            return 3u;
        }
        if (places[8] > places[3]) {
            places[8] -= 3;
            places[7] += (int)(event & 7u);
            return 3u;
        }
        places[3] ^= 8;
        return (state + event) & 63u;
    case 23:
        if (places[6] < -6 && (event & 1u) != 0) {
            places[6] -= 6;
            places[11] += 4;
            return 44u;
        }
        if (places[9] > places[11]) {
            places[9] -= 4;
            places[6] += (int)(event & 7u);
            return 46u;
        }
        places[11] ^= 6;
        return (state + event) & 63u;
    case 24:
        if (places[7] >= 2 && (event & 1u) != 0) {
            places[7] -= 6;
            places[15] += 2;
            return 61u;
        }
        if (places[3] > places[15]) {
            places[3] -= 2;
            places[7] += (int)(event & 7u);
            return 0u;
        }
        places[15] ^= 6;
        return (state + event) & 63u;
    case 25:
        if (places[3] <= -15 && (event & 15u) != 0) {
            places[3] -= 4;
            places[14] += 4;
            return 22u;
        }
        if (places[6] > places[14]) {
            places[6] -= 4;
            places[3] += (int)(event & 7u);
            return 55u;
        }
        places[14] ^= 4;
        return (state + event) & 63u;
    case 26:
        if (places[14] < -11 && (event & 15u) != 0) {
            places[14] -= 2;
            places[6] += 2;
            return 21u;
        }
        if (places[11] > places[6]) {
            places[11] -= 2;
            places[14] += (int)(event & 7u);
            return 16u;
        }
        places[6] ^= 2;
        return (state + event) & 63u;
    case 27:
        if (places[4] < -20 && (event & 1u) != 0) {
            places[4] -= 8;
            places[9] += 3;
            return 19u;
        }
        if (places[13] > places[9]) {
            places[13] -= 3;
            places[4] += (int)(event & 7u);
            return 16u;
        }
        places[9] ^= 8;
        return (state + event) & 63u;
    case 28:
        if (places[4] > -2 && (event & 3u) != 0) {
            places[4] -= 4;
            places[6] += 2;
            return 3u;
        }
        if (places[13] > places[6]) {
            places[13] -= 2;
            places[4] += (int)(event & 7u);
            return 32u;
        }
        places[6] ^= 4;
        return (state + event) & 63u;
    case 29:
        if (places[10] >= 17 && (event & 15u) != 0) {
            places[10] -= 7;
            places[4] += 2;
            return 7u;
        }
        if (places[8] > places[4]) {
            places[8] -= 2;
            places[10] += (int)(event & 7u);
            return 45u;
        }
        places[4] ^= 7;
        return (state + event) & 63u;
    case 30:
        if (places[4] > 18 && (event & 1u) != 0) {
            places[4] -= 9;
            places[8] += 5;
            return 2u;
        }
        if (places[2] > places[8]) {
            places[2] -= 5;
            places[4] += (int)(event & 7u);
            return 56u;
        }
        places[8] ^= 9;
        return (state + event) & 63u;
    case 31:
        if (places[4] <= 13 && (event & 15u) != 0) {
            places[4] -= 8;
            places[2] += 5;
            return 15u;
        }
        if (places[14] > places[2]) {
            places[14] -= 5;
            places[4] += (int)(event & 7u);
            return 7u;
        }
        places[2] ^= 8;
        return (state + event) & 63u;
    case 32:
        if (places[3] < -14 && (event & 15u) != 0) {
            places[3] -= 1;
            places[14] += 2;
            return 24u;
        }
        if (places[8] > places[14]) {
            places[8] -= 2;
            places[3] += (int)(event & 7u);
            return 35u;
        }
        places[14] ^= 1;
        return (state + event) & 63u;
    case 33:
        if (places[0] >= 12 && (event & 15u) != 0) {
            places[0] -= 8;
            places[12] += 3;
            return 25u;
        }
        if (places[1] > places[12]) {
            places[1] -= 3;
            places[0] += (int)(event & 7u);
            return 35u;
        }
        places[12] ^= 8;
        return (state + event) & 63u;
    case 34:
        if (places[7] > 6 && (event & 1u) != 0) {
            places[7] -= 5;
            places[11] += 5;
            return 25u;
        }
        if (places[8] > places[11]) {
            places[8] -= 5;
            places[7] += (int)(event & 7u);
            return 57u;
        }
        places[11] ^= 5;
        return (state + event) & 63u;
    case 35:
        if (places[12] > -1 && (event & 1u) != 0) {
            places[12] -= 2;
            places[7] += 2;
            return 54u;
        }
        if (places[5] > places[7]) {
            places[5] -= 2;
            places[12] += (int)(event & 7u);
            return 9u;
        }
        places[7] ^= 2;
        return (state + event) & 63u;
    case 36:
        if (places[4] >= -6 && (event & 1u) != 0) {
            places[4] -= 6;
            places[11] += 2;
            return 32u;
        }
        if (places[10] > places[11]) {
            places[10] -= 2;
            places[4] += (int)(event & 7u);
            return 17u;
        }
        places[11] ^= 6;
        return (state + event) & 63u;
    case 37:
        if (places[12] >= 1 && (event & 15u) != 0) {
            places[12] -= 3;
            places[14] += 2;
            return 20u;
        }
        if (places[7] > places[14]) {
            places[7] -= 2;
            places[12] += (int)(event & 7u);
            return 55u;
        }
        places[14] ^= 3;
        return (state + event) & 63u;
    case 38:
        if (places[6] >= 8 && (event & 1u) != 0) {
            places[6] -= 2;
            places[5] += 3;
            return 2u;
        }
        if (places[14] > places[5]) {
            places[14] -= 3;
            places[6] += (int)(event & 7u);
            return 43u;
        }
        places[5] ^= 2;
        return (state + event) & 63u;
    case 39:
        if (places[12] > -14 && (event & 1u) != 0) {
            places[12] -= 5;
            places[5] += 5;
            return 8u;
        }
        if (places[8] > places[5]) {
            places[8] -= 5;
            places[12] += (int)(event & 7u);
            return 14u;
        }
        places[5] ^= 5;
        return (state + event) & 63u;
    case 40:
        if (places[8] <= 5 && (event & 3u) != 0) {
            places[8] -= 3;
            places[4] += 3;
            return 16u;
        }
        if (places[0] > places[4]) {
            places[0] -= 3;
            places[8] += (int)(event & 7u);
            return 54u;
        }
        places[4] ^= 3;
        return (state + event) & 63u;
    case 41:
        if (places[15] >= -16 && (event & 7u) != 0) {
            places[15] -= 2;
            places[11] += 3;
            return 7u;
        }
        if (places[5] > places[11]) {
            places[5] -= 3;
            places[15] += (int)(event & 7u);
            return 23u;
        }
        places[11] ^= 2;
        return (state + event) & 63u;
    case 42:
        if (places[0] <= -13 && (event & 15u) != 0) {
            places[0] -= 5;
            places[10] += 1;
            return 28u;
        }
        if (places[1] > places[10]) {
            places[1] -= 1;
            places[0] += (int)(event & 7u);
            return 8u;
        }
        places[10] ^= 5;
        return (state + event) & 63u;
    case 43:
        if (places[0] > -13 && (event & 3u) != 0) {
            places[0] -= 7;
            places[5] += 3;
            return 16u;
        }
        if (places[8] > places[5]) {
            places[8] -= 3;
            places[0] += (int)(event & 7u);
            return 5u;
        }
        places[5] ^= 7;
        return (state + event) & 63u;
    case 44:
        if (places[8] <= 8 && (event & 3u) != 0) {
            places[8] -= 4;
            places[0] += 3;
            return 39u;
        }
        if (places[2] > places[0]) {
            places[2] -= 3;
            places[8] += (int)(event & 7u);
            return 26u;
        }
        places[0] ^= 4;
        return (state + event) & 63u;
    case 45:
        if (places[8] < 12 && (event & 3u) != 0) {
            places[8] -= 1;
            places[5] += 3;
            return 4u;
        }
        if (places[12] > places[5]) {
            places[12] -= 3;
            places[8] += (int)(event & 7u);
            return 1u;
        }
        places[5] ^= 1;
        return (state + event) & 63u;
    case 46:
        if (places[15] <= -7 && (event & 3u) != 0) {
            places[15] -= 2;
            places[3] += 4;
            return 63u;
        }
        if (places[7] > places[3]) {
            places[7] -= 4;
            places[15] += (int)(event & 7u);
            return 50u;
        }
        places[3] ^= 2;
        return (state + event) & 63u;
    case 47:
        if (places[10] > -20 && (event & 1u) != 0) {
            places[10] -= 3;
            places[3] += 4;
            return 44u;
        }
        if (places[13] > places[3]) {
            places[13] -= 4;
            places[10] += (int)(event & 7u);
            return 6u;
        }
        places[3] ^= 3;
        return (state + event) & 63u;
    case 48:
        if (places[8] > -2 && (event & 1u) != 0) {
            places[8] -= 1;
            places[6] += 1;
            return 48u;
        }
        if (places[2] > places[6]) {
            places[2] -= 1;
            places[8] += (int)(event & 7u);
            return 36u;
        }
        places[6] ^= 1;
        return (state + event) & 63u;
    case 49:
        if (places[14] <= 1 && (event & 7u) != 0) {
            places[14] -= 5;
            places[2] += 4;
            return 0u;
        }
        if (places[15] > places[2]) {
            places[15] -= 4;
            places[14] += (int)(event & 7u);
            return 33u;
        }
        places[2] ^= 5;
        return (state + event) & 63u;
    case 50:
        if (places[7] <= 4 && (event & 1u) != 0) {
            places[7] -= 4;
            places[0] += 3;
            return 23u;
        }
        if (places[4] > places[0]) {
            places[4] -= 3;
            places[7] += (int)(event & 7u);
            return 0u;
        }
        places[0] ^= 4;
        return (state + event) & 63u;
    case 51:
        if (places[15] <= -15 && (event & 3u) != 0) {
            places[15] -= 4;
            places[4] += 2;
            return 0u;
        }
        if (places[8] > places[4]) {
            places[8] -= 2;
            places[15] += (int)(event & 7u);
            return 11u;
        }
        places[4] ^= 4;
        return (state + event) & 63u;
    case 52:
        if (places[12] > -15 && (event & 3u) != 0) {
            places[12] -= 7;
            places[9] += 1;
            return 38u;
        }
        if (places[0] > places[9]) {
            places[0] -= 1;
            places[12] += (int)(event & 7u);
            return 38u;
        }
        places[9] ^= 7;
        return (state + event) & 63u;
    case 53:
        if (places[12] < 12 && (event & 15u) != 0) {
            places[12] -= 8;
            places[15] += 2;
            return 36u;
        }
        if (places[5] > places[15]) {
            places[5] -= 2;
            places[12] += (int)(event & 7u);
            return 18u;
        }
        places[15] ^= 8;
        return (state + event) & 63u;
    case 54:
        if (places[4] < -19 && (event & 1u) != 0) {
            places[4] -= 9;
            places[14] += 5;
            return 2u;
        }
        if (places[8] > places[14]) {
            places[8] -= 5;
            places[4] += (int)(event & 7u);
            return 29u;
        }
        places[14] ^= 9;
        return (state + event) & 63u;
    case 55:
        if (places[4] < 20 && (event & 3u) != 0) {
            places[4] -= 2;
            places[10] += 4;
            return 57u;
        }
        if (places[5] > places[10]) {
            places[5] -= 4;
            places[4] += (int)(event & 7u);
            return 6u;
        }
        places[10] ^= 2;
        return (state + event) & 63u;
    case 56:
        if (places[15] >= -4 && (event & 1u) != 0) {
            places[15] -= 8;
            places[4] += 1;
            return 11u;
        }
        if (places[0] > places[4]) {
            places[0] -= 1;
            places[15] += (int)(event & 7u);
            return 8u;
        }
        places[4] ^= 8;
        return (state + event) & 63u;
    case 57:
        if (places[8] >= -16 && (event & 15u) != 0) {
            places[8] -= 4;
            places[3] += 2;
            return 58u;
        }
        if (places[11] > places[3]) {
            places[11] -= 2;
            places[8] += (int)(event & 7u);
            return 63u;
        }
        places[3] ^= 4;
        return (state + event) & 63u;
    case 58:
        if (places[9] <= -1 && (event & 3u) != 0) {
            places[9] -= 4;
            places[12] += 1;
            return 18u;
        }
        if (places[0] > places[12]) {
            places[0] -= 1;
            places[9] += (int)(event & 7u);
            return 42u;
        }
        places[12] ^= 4;
        return (state + event) & 63u;
    case 59:
        if (places[0] >= -2 && (event & 7u) != 0) {
            places[0] -= 8;
            places[7] += 3;
            return 12u;
        }
        if (places[15] > places[7]) {
            places[15] -= 3;
            places[0] += (int)(event & 7u);
            return 27u;
        }
        places[7] ^= 8;
        return (state + event) & 63u;
    case 60:
        if (places[14] < 10 && (event & 1u) != 0) {
            places[14] -= 2;
            places[7] += 5;
            return 25u;
        }
        if (places[15] > places[7]) {
            places[15] -= 5;
            places[14] += (int)(event & 7u);
            return 39u;
        }
        places[7] ^= 2;
        return (state + event) & 63u;
    case 61:
        if (places[9] > -7 && (event & 1u) != 0) {
            places[9] -= 9;
            places[7] += 4;
            return 34u;
        }
        if (places[1] > places[7]) {
            places[1] -= 4;
            places[9] += (int)(event & 7u);
            return 49u;
        }
        places[7] ^= 9;
        return (state + event) & 63u;
    case 62:
        if (places[2] <= -13 && (event & 7u) != 0) {
            places[2] -= 9;
            places[15] += 3;
            return 46u;
        }
        if (places[11] > places[15]) {
            places[11] -= 3;
            places[2] += (int)(event & 7u);
            return 16u;
        }
        places[15] ^= 9;
        return (state + event) & 63u;
    case 63:
        if (places[7] >= 8 && (event & 15u) != 0) {
            places[7] -= 7;
            places[15] += 1;
            return 20u;
        }
        if (places[14] > places[15]) {
            places[14] -= 1;
            places[7] += (int)(event & 7u);
            return 0u;
        }
        places[15] ^= 7;
        return (state + event) & 63u;
    default:
        return 0;
    }
}

unsigned bench_nsichneu(int n)
{
    for (int i = 0; i < 16; i++)
        places[i] = i - 8;
    unsigned state = 0, seed = 2024u, trace = 0;
    for (int r = 0; r < n; r++)
        for (int e = 0; e < 512; e++) {
            seed = seed * 1103515245u + 12345u;
            state = step(state, (seed >> 16) & 0xffu);
            trace = trace * 31u + state;
        }
    for (int i = 0; i < 16; i++)
        trace = trace * 31u + (unsigned)places[i];
    return trace;
}
