//! Random streams and the generation of each failure process's outages.

use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Exp1;

use crate::model::{Distribution, Failure};

/// The generator of trial `trial` for the purpose `stream_key` (the FNV-1a of
/// a target's label): ChaCha8 keyed by (seed, purpose), on stream `trial`.
/// Portable and fixed across versions and platforms.
pub fn stream(seed: u64, stream_key: u64, trial: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&stream_key.to_le_bytes());
    key[16..24].copy_from_slice(b"faultln1");
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(trial);
    rng
}

/// Appends the outages of one alternating process over `[0, horizon)` to
/// `out`: up for Exp(mean = `every`), then down for a draw from `lasts`,
/// starting up at 0. Outages are clipped at the horizon. Returns the number of
/// state changes (failures and repairs) that fall inside the horizon.
#[inline]
pub fn generate_outages(
    failure: &Failure,
    horizon: f64,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<(f64, f64)>,
) -> u64 {
    let mut t = 0.0;
    let mut events = 0;
    loop {
        t += failure.every * rng.sample::<f64, _>(Exp1);
        if t >= horizon {
            return events;
        }
        let end = t + draw(&failure.lasts, rng);
        if end < horizon {
            events += 2;
            out.push((t, end));
        } else {
            events += 1;
            out.push((t, horizon));
            return events;
        }
        t = end;
    }
}

#[inline]
fn draw(d: &Distribution, rng: &mut ChaCha8Rng) -> f64 {
    d.sample(rng)
}
