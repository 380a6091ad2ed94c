//! Phi elimination: the moves of one CFG edge form a parallel copy; this
//! orders them so no source is overwritten before it is read, breaking
//! cycles (swaps) with a temporary.

use super::mir::VReg;

/// Orders the parallel copy `dst_i <- src_i` (all `dst` distinct) into
/// sequential moves. `new_temp` supplies a fresh register for cycles.
pub fn sequentialize(moves: &[(VReg, VReg)], mut new_temp: impl FnMut() -> VReg) -> Vec<(VReg, VReg)> {
    let mut pending: Vec<(VReg, VReg)> = moves.iter().copied().filter(|(d, s)| d != s).collect();
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        // A move whose destination no other pending move still reads.
        let ready = pending.iter().position(|&(d, _)| !pending.iter().any(|&(_, s)| s == d));
        match ready {
            Some(i) => out.push(pending.remove(i)),
            None => {
                // Every destination is still read: a cycle. Save one
                // destination's value and redirect its readers.
                let (d, _) = pending[0];
                let t = new_temp();
                out.push((t, d));
                for m in pending.iter_mut() {
                    if m.1 == d {
                        m.1 = t;
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs moves on a register file and returns it.
    fn run(init: &[u32], moves: &[(VReg, VReg)]) -> Vec<u32> {
        let mut r = init.to_vec();
        r.resize(16, 0);
        for &(d, s) in moves {
            r[d as usize] = r[s as usize];
        }
        r
    }

    #[test]
    fn swap_uses_a_temporary() {
        let mut next = 10;
        let seq = sequentialize(&[(0, 1), (1, 0)], || {
            next += 1;
            next
        });
        let r = run(&[5, 7], &seq);
        assert_eq!((r[0], r[1]), (7, 5));
        assert_eq!(seq.len(), 3);
    }

    #[test]
    fn chains_are_ordered_and_rotations_work() {
        let mut next = 10;
        let seq = sequentialize(&[(1, 0), (2, 1), (3, 2)], || {
            next += 1;
            next
        });
        let r = run(&[1, 2, 3, 4], &seq);
        assert_eq!(&r[..4], &[1, 1, 2, 3]);
        let seq = sequentialize(&[(0, 1), (1, 2), (2, 0), (3, 3)], || {
            next += 1;
            next
        });
        let r = run(&[1, 2, 3, 4], &seq);
        assert_eq!(&r[..4], &[2, 3, 1, 4]);
    }
}
