//! The draw of `rand_distr`'s `Exp1` (a ziggurat) from a [`Stream`], with its
//! common case inlined into the caller: the same bits give the same number
//! and leave the stream at the same word.
//!
//! `rng.sample(Exp1)` is too large to inline into the outage loop, so each
//! draw was a call that kept the stream's read position in memory. The
//! ziggurat reads one `u64`: its low 8 bits pick a box `i`, its top 52 bits
//! `m` a unit float `u = (2m + 1) / 2^53`, and if `u * x[i]` lies below the
//! next box edge (about 98% of draws) that product is the draw. Here that
//! test reads the `u64` in place and consumes it only if it accepts; any
//! other case (a rejection, or a `u64` across the end of the buffer) is left
//! to `rng.sample(Exp1)` itself, which then reads the same `u64` first.
//!
//! The box edges are not written here: [`Boxes::read`] asks `rand_distr`'s
//! own sampler, once per process, for each box's edge and for the values of
//! `m` it accepts there, so the inlined path is the library's, bit for bit.

use std::convert::Infallible;
use std::sync::OnceLock;

use rand::{RngExt, TryRng};
use rand_distr::Exp1;

use super::chacha::Stream;

/// The first case of the ziggurat, as `rand_distr`'s `Exp1` draws it.
#[derive(Debug)]
pub struct Boxes {
    /// Each box's outer edge `x[i]`: a draw accepted in box `i` is `u * x[i]`.
    edge: [f64; 256],
    /// The draws accepted in box `i` without a second test: those with
    /// `m < accepted[i]` (0 for none).
    accepted: [u64; 256],
}

/// The boxes of `rand_distr`'s `Exp1`, read on first use.
pub fn boxes() -> &'static Boxes {
    static BOXES: OnceLock<Boxes> = OnceLock::new();
    BOXES.get_or_init(Boxes::read)
}

/// A unit exponential draw: `rng.sample::<f64, _>(Exp1)`, bit for bit, with
/// the stream left where that leaves it.
#[inline(always)]
pub fn exp1(rng: &mut Stream, boxes: &Boxes) -> f64 {
    if let Some(bits) = rng.peek_u64() {
        let i = (bits & 0xff) as usize;
        let m = bits >> 12;
        if m < boxes.accepted[i] {
            rng.consume_u64();
            return unit(m) * boxes.edge[i];
        }
    }
    exp1_rest(rng)
}

/// The ziggurat's unit float of the top 52 bits `m`: `[1, 2)` from `m`, less
/// `1 - 2^-53`, which is `(2m + 1) / 2^53` exactly.
#[inline(always)]
fn unit(m: u64) -> f64 {
    f64::from_bits(m | ONE_BITS) - (1.0 - f64::EPSILON / 2.0)
}

/// The bits of 1.0: exponent 0, mantissa 0.
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;

/// Every case of [`exp1`] but the accepted first test, the `u64` it read
/// still unread.
#[cold]
#[inline(never)]
fn exp1_rest(rng: &mut Stream) -> f64 {
    rng.sample::<f64, _>(Exp1)
}

impl Boxes {
    /// Reads each box off `rand_distr`'s sampler. With `m = 0` a draw in box
    /// `i` is `x[i] / 2^53` exactly (a power of two times `x[i]`), and it is
    /// accepted in one `u64` for every box with a next edge above 0; as
    /// `u * x[i]` grows with `m`, the accepted `m` are those below a bound,
    /// found by bisection. A box whose first test reads more than one `u64`
    /// even at `m = 0` is left to the sampler (`accepted` 0).
    fn read() -> Boxes {
        let mut boxes = Boxes {
            edge: [0.0; 256],
            accepted: [0; 256],
        };
        for i in 0..256u64 {
            let Some(least) = first_test(i) else {
                continue;
            };
            let edge = least * 2f64.powi(53);
            let (mut lo, mut hi) = (0u64, 1u64 << 52);
            // invariant: `m = lo` is accepted, `m = hi` is not (or is 2^52)
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                match first_test(mid << 12 | i) {
                    Some(x) if x.to_bits() == (unit(mid) * edge).to_bits() => lo = mid,
                    _ => hi = mid,
                }
            }
            boxes.edge[i as usize] = edge;
            boxes.accepted[i as usize] = lo + 1;
        }
        boxes
    }
}

/// `Exp1`'s draw from the `u64` `bits` when it reads no other: the
/// ziggurat's first test accepted it; `None` when it read more.
fn first_test(bits: u64) -> Option<f64> {
    let mut rng = Scripted {
        first: bits,
        reads: 0,
    };
    let x = rng.sample::<f64, _>(Exp1);
    (rng.reads == 1).then_some(x)
}

/// A generator that gives `first`, then `u64`s that end any further test
/// (box 1, `m = 0`: accepted at once), counting its reads.
struct Scripted {
    first: u64,
    reads: u32,
}

impl TryRng for Scripted {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|x| x as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.reads += 1;
        Ok(if self.reads == 1 { self.first } else { 1 })
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        for byte in dest {
            *byte = self.try_next_u32()? as u8;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::streams::stream;
    use rand::Rng;

    #[test]
    fn exp1_draws_the_numbers_and_words_of_rand_distrs_exp1() {
        // odd and even word positions, across buffer ends and refills, and
        // the rejected and tail cases (about 2% of draws) many times over
        let boxes = boxes();
        for (key, trial) in [(1u64, 0u64), (0xfeed, 12345), (3, u64::MAX)] {
            let mut a = stream(7, key, trial);
            let mut b = stream(7, key, trial);
            for i in 0..200_000u32 {
                if i % 7 == 3 {
                    assert_eq!(a.next_u32(), b.next_u32());
                }
                let (x, y) = (exp1(&mut a, boxes), b.sample::<f64, _>(Exp1));
                assert_eq!(x.to_bits(), y.to_bits(), "draw {i} of {key}, {trial}");
            }
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn the_boxes_take_most_draws_and_agree_with_the_sampler_at_their_bounds() {
        let boxes = boxes();
        let (mut share, mut used) = (0.0, 0);
        for i in 0..256u64 {
            let accepted = boxes.accepted[i as usize];
            share += accepted as f64 / (1u64 << 52) as f64 / 256.0;
            if accepted == 0 {
                continue;
            }
            used += 1;
            let last = accepted - 1;
            let x = first_test(last << 12 | i);
            assert_eq!(
                x.map(f64::to_bits),
                Some((unit(last) * boxes.edge[i as usize]).to_bits())
            );
            if accepted < 1 << 52 {
                assert_eq!(first_test(accepted << 12 | i), None, "box {i}");
            }
        }
        // the ziggurat's first test takes about 98% of draws
        assert!(share > 0.97 && share < 0.995, "{share}");
        assert!(used >= 254, "{used}");
    }
}
