//! The ChaCha8 stream of one purpose (a failure process, a routing policy,
//! a data policy) in one trial: portable, fixed across versions and
//! platforms, and cheap to restart for each process.

use std::convert::Infallible;
use std::sync::OnceLock;

use chacha20::cipher::array::Array;
use chacha20::cipher::{KeyIvInit, StreamCipherCore};
use chacha20::variants::Ietf;
use chacha20::{ChaChaCore, R8};
use rand::TryRng;

mod tape;
pub use tape::Tape;

/// Bytes of a stream's buffer: room for eight 64-byte ChaCha blocks.
const BLOCK_BYTES: usize = 512;

/// 32-bit words in the buffer.
const BLOCK_WORDS: usize = BLOCK_BYTES / 4;

/// ChaCha blocks a refill computes, into the end of the buffer: eight where
/// the block function runs on AVX-512, else four. AVX-512 computes four
/// blocks in one set of registers, latency-bound, so eight in two
/// interleaved sets take little more time than four, and a W1 replica's
/// ~3.2 blocks a trial then come from one call instead of 1.17 on average.
/// AVX2 and SSE2 compute four blocks a call at full use: eight would double
/// the work of most streams. The output is the same either way.
fn refill_blocks() -> usize {
    static BLOCKS: OnceLock<usize> = OnceLock::new();
    *BLOCKS.get_or_init(|| if avx512() { 8 } else { 4 })
}

/// Whether chacha20 runs its AVX-512 block function here: built with its
/// `chacha20_avx512` flag (`.cargo/config.toml`), on a CPU with the
/// features it checks for.
fn avx512() -> bool {
    #[cfg(all(chacha20_avx512, any(target_arch = "x86", target_arch = "x86_64")))]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
    }
    #[cfg(not(all(chacha20_avx512, any(target_arch = "x86", target_arch = "x86_64"))))]
    {
        false
    }
}

/// The ChaCha8 block function with the IETF layout: a 32-bit block counter
/// (state word 12) and a 96-bit nonce (words 13 to 15).
type Core = ChaChaCore<R8, Ietf>;

/// A ChaCha8 stream computed a block at a time into a local buffer: word for
/// word the output of `ChaCha8Rng` (rand_chacha's and chacha20's: `next_u32`,
/// `next_u64` and `fill_bytes` in any mix) for the key and stream of
/// [`stream`], with a cheaper read of the next `u64`, the engine's hottest
/// operation (one per exponential draw).
///
/// `ChaCha8Rng` counts blocks in 64 bits (state words 12 and 13) and takes
/// its stream in words 14 and 15. The stream drives the bare block function
/// instead (no copy of a generator's buffer, no generator to set up per
/// stream): word 13 is the first nonce word, here the high half of the block
/// counter, carried by hand when the low half wraps.
pub struct Stream {
    core: Core,
    /// The key and the stream: all the core is rebuilt from at a carry.
    origin: Origin,
    /// The high half of the 64-bit block counter (nonce word 0).
    counter_high: u32,
    /// ChaCha blocks a refill computes (see [`refill_blocks`]).
    refill_blocks: usize,
    /// The output computed last, little-endian 32-bit words at the end of
    /// the buffer (from word `BLOCK_WORDS - 16 * refill_blocks`).
    block: [u8; BLOCK_BYTES],
    /// The next unread word of `block` (`BLOCK_WORDS`: none left).
    word: usize,
    /// Whether refills read and keep `tape` ([`Stream::restart_taped`]).
    taping: bool,
    /// The output computed for the variants of a trial.
    tape: Tape,
    /// The next byte of `tape` to read.
    tape_read: usize,
}

/// What a stream is derived from.
#[derive(Clone, Copy)]
struct Origin {
    seed: u64,
    stream_key: u64,
    trial: u64,
}

impl Origin {
    /// The 32-byte ChaCha key: seed, purpose and a fixed tag.
    fn key(self) -> [u8; 32] {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&self.seed.to_le_bytes());
        key[8..16].copy_from_slice(&self.stream_key.to_le_bytes());
        key[16..24].copy_from_slice(b"faultln1");
        key
    }

    /// The block function at block `counter_high * 2^32`.
    #[inline(always)]
    fn core(self, counter_high: u32) -> Core {
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&counter_high.to_le_bytes());
        nonce[4..].copy_from_slice(&self.trial.to_le_bytes());
        Core::new(&Array::from(self.key()), &Array::from(nonce))
    }
}

impl Stream {
    /// Makes this the stream of [`stream`]`(seed, stream_key, trial)`,
    /// reusing its buffer (what it holds is never read before a refill).
    #[inline]
    pub fn restart(&mut self, seed: u64, stream_key: u64, trial: u64) {
        self.origin = Origin {
            seed,
            stream_key,
            trial,
        };
        self.core = self.origin.core(0);
        self.counter_high = 0;
        self.refill_blocks = refill_blocks();
        self.word = BLOCK_WORDS;
    }

    /// The next `u64` without reading it, while both its words are in the
    /// buffer (the `u64` `next_u64` would return); else `None`.
    #[inline(always)]
    pub(super) fn peek_u64(&self) -> Option<u64> {
        let word = self.word;
        if word < BLOCK_WORDS - 1 {
            if let Some(bytes) = self.block[4 * word..].first_chunk::<8>() {
                return Some(u64::from_le_bytes(*bytes));
            }
        }
        None
    }

    /// Reads the `u64` that [`Stream::peek_u64`] has just returned.
    #[inline(always)]
    pub(super) fn consume_u64(&mut self) {
        self.word += 2;
    }

    /// Computes the stream's first blocks now, as its first read would (the
    /// same words, read from the same place), for a stream that will be
    /// read: its first read then takes the common, inlined path.
    #[inline]
    pub fn fill(&mut self) {
        if self.word >= BLOCK_WORDS {
            self.word = self.refill();
        }
    }

    /// `next_u64` across the end of a block, as `ChaCha8Rng` does it: the
    /// last word of this block is the low half, the first of the next the
    /// high half.
    #[inline]
    fn next_u64_across(&mut self) -> u64 {
        let lo = if self.word < BLOCK_WORDS {
            let lo = word_at(&self.block, BLOCK_WORDS - 1);
            self.word = self.refill();
            lo
        } else {
            let start = self.refill();
            self.word = start + 1;
            word_at(&self.block, start)
        };
        let hi = word_at(&self.block, self.word);
        self.word += 1;
        u64::from(hi) << 32 | u64::from(lo)
    }

    /// Computes the next blocks into the end of `block`; returns the word
    /// they start at.
    #[inline(always)]
    fn refill(&mut self) -> usize {
        let start = BLOCK_BYTES - 64 * self.refill_blocks;
        if self.taping {
            return self.refill_taped(start);
        }
        refill(
            &mut self.core,
            &mut self.counter_high,
            self.origin,
            &mut self.block[start..],
        );
        start / 4
    }

    /// Moves the stream to block `position` (64 bytes each) of its output.
    #[cfg(test)]
    fn seek(&mut self, position: u64) {
        self.counter_high = (position >> 32) as u32;
        self.core = self.origin.core(self.counter_high);
        self.core.set_block_pos(position as u32);
        self.word = BLOCK_WORDS;
    }
}

/// Computes the stream's next blocks into `out` (whole 64-byte blocks). Out
/// of line, and given the fields it writes rather than the whole [`Stream`],
/// so that the read position of an inlined stream can live in a register.
#[cold]
#[inline(never)]
fn refill(core: &mut Core, counter_high: &mut u32, origin: Origin, out: &mut [u8]) {
    let (blocks, _) = Array::slice_as_chunks_mut(out);
    let n = blocks.len() as u32;
    if core.get_block_pos() <= u32::MAX - n + 1 {
        // no carry into the high half before the last of these blocks
        core.write_keystream_blocks(blocks);
        carry(core, counter_high, origin);
        return;
    }
    for one in blocks {
        core.write_keystream_block(one);
        carry(core, counter_high, origin);
    }
}

/// Carries into the counter's high half when its low half has wrapped to 0.
fn carry(core: &mut Core, counter_high: &mut u32, origin: Origin) {
    if core.get_block_pos() == 0 {
        *counter_high = counter_high.wrapping_add(1);
        *core = origin.core(*counter_high);
    }
}

/// The `i`-th little-endian word of `block`.
#[inline(always)]
fn word_at(block: &[u8; BLOCK_BYTES], i: usize) -> u32 {
    let (words, _) = block.as_chunks::<4>();
    u32::from_le_bytes(words[i])
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stream { .. }")
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        if self.word >= BLOCK_WORDS {
            self.word = self.refill();
        }
        let x = word_at(&self.block, self.word);
        self.word += 1;
        Ok(x)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        // two words while both are in the block: one unaligned 8-byte load
        // (the one comparison lets the compiler drop the slice's checks)
        let word = self.word;
        if word < BLOCK_WORDS - 1 {
            if let Some(bytes) = self.block[4 * word..].first_chunk::<8>() {
                self.word = word + 2;
                return Ok(u64::from_le_bytes(*bytes));
            }
        }
        Ok(self.next_u64_across())
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        // whole words, the last one cut short (and consumed), as ChaCha8Rng
        for chunk in dest.chunks_mut(4) {
            let word = self.try_next_u32()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// The generator of trial `trial` for the purpose `stream_key` (the FNV-1a of
/// a target's label): ChaCha8 keyed by (seed, purpose, the tag `faultln1`),
/// on stream `trial` (`ChaCha8Rng::from_seed(key)` with `set_stream(trial)`).
/// Portable and fixed across versions and platforms.
#[inline]
pub fn stream(seed: u64, stream_key: u64, trial: u64) -> Stream {
    let origin = Origin {
        seed,
        stream_key,
        trial,
    };
    Stream {
        core: origin.core(0),
        origin,
        counter_high: 0,
        refill_blocks: refill_blocks(),
        block: [0; BLOCK_BYTES],
        word: BLOCK_WORDS,
        taping: false,
        tape: Tape::default(),
        tape_read: 0,
    }
}

impl Default for Stream {
    /// The stream of seed 0, purpose 0 and trial 0.
    fn default() -> Self {
        stream(0, 0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// A read of `n` words (1: `next_u32`, 2: `next_u64`) or of `n - 2`
    /// bytes (`fill_bytes`, for `n` above 2).
    fn read(rng: &mut impl Rng, n: usize) -> Vec<u8> {
        match n {
            1 => rng.next_u32().to_le_bytes().to_vec(),
            2 => rng.next_u64().to_le_bytes().to_vec(),
            _ => {
                let mut bytes = vec![0u8; n - 2];
                rng.fill_bytes(&mut bytes);
                bytes
            }
        }
    }

    /// The reference generators of `stream(seed, key, trial)`: chacha20's
    /// and rand_chacha's `ChaCha8Rng`, at block `position`.
    fn references(
        (seed, key, trial): (u64, u64, u64),
        position: u64,
    ) -> (chacha20::ChaCha8Rng, rand_chacha::ChaCha8Rng) {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..16].copy_from_slice(&key.to_le_bytes());
        bytes[16..24].copy_from_slice(b"faultln1");
        let mut b = chacha20::ChaCha8Rng::from_seed(bytes);
        b.set_stream(trial);
        b.set_word_pos(u128::from(position) * 16);
        let mut c = rand_chacha::ChaCha8Rng::from_seed(bytes);
        c.set_stream(trial);
        c.set_word_pos(u128::from(position) * 16);
        (b, c)
    }

    /// Reads the stream and both references in `pattern` for `reads` reads.
    fn assert_same_words(
        origin: (u64, u64, u64),
        position: u64,
        pattern: &dyn Fn(usize) -> usize,
        reads: usize,
    ) {
        // refills of four blocks and of eight (the size depends on the CPU)
        for blocks in [4, 8] {
            let mut a = stream(origin.0, origin.1, origin.2);
            a.refill_blocks = blocks;
            if position != 0 {
                a.seek(position);
            }
            let (mut b, mut c) = references(origin, position);
            for i in 0..reads {
                let n = pattern(i);
                let x = read(&mut a, n);
                let at = format!("{origin:?} at {position}, {blocks} blocks, read {i}");
                assert_eq!(x, read(&mut b, n), "{at}");
                assert_eq!(x, read(&mut c, n), "{at}");
            }
        }
    }

    #[test]
    fn streams_equal_chacha8_streams_word_for_word() {
        // read through a stream's buffer and from the generators directly
        // (chacha20's, and rand_chacha's, the reference of both), in
        // patterns that cross block ends at every kind of read: u64s at odd
        // and even words, u32s only, byte fills of odd lengths, and a mix
        let patterns: [&dyn Fn(usize) -> usize; 4] = [
            &|i| [2, 2, 2, 1, 2, 2, 2, 9, 1, 2, 2][i % 11],
            &|_| 1,
            &|i| if i % 2 == 0 { 15 } else { 2 },
            &|i| [3, 1, 2, 70, 2, 1, 4][i % 7],
        ];
        for origin in [
            (1u64, 2u64, 0u64),
            (7, 0xfeed, 12345),
            (u64::MAX, 3, u64::MAX),
        ] {
            for pattern in patterns {
                assert_same_words(origin, 0, pattern, 2000);
            }
        }
    }

    #[test]
    fn a_restarted_stream_is_the_new_stream_whatever_it_read_before() {
        for reads in [0, 1, 37, 64, 200] {
            let mut a = stream(1, 2, 3);
            for _ in 0..reads {
                a.next_u32();
            }
            a.restart(4, 5, 6);
            let mut b = stream(4, 5, 6);
            for i in 0..300 {
                assert_eq!(a.next_u64(), b.next_u64(), "after {reads} reads, read {i}");
            }
        }
    }

    #[test]
    fn a_filled_stream_reads_the_words_of_an_unfilled_one() {
        let mixed = |i: usize| [2, 2, 2, 1, 2, 2, 2, 9, 1, 2, 2][i % 11];
        for first in [1, 2, 5] {
            let mut a = stream(8, 9, 10);
            a.fill();
            a.fill();
            let mut b = stream(8, 9, 10);
            for i in 0..300 {
                let n = if i == 0 { first } else { mixed(i) };
                assert_eq!(read(&mut a, n), read(&mut b, n), "read {i}");
            }
        }
    }

    #[test]
    fn streams_carry_their_block_counter_into_its_high_half() {
        // the block function counts in 32 bits and the stream carries by
        // hand: start on every block alignment before the carry, and far on
        let mixed = |i: usize| [2, 2, 2, 1, 2, 2, 2, 9, 1, 2, 2][i % 11];
        for start in (0..17).map(|back| (1u64 << 32) - back) {
            assert_same_words((5, 6, 7), start, &mixed, 300);
        }
        assert_same_words((5, 6, u64::MAX), (7 << 32) - 5, &mixed, 300);
        assert_same_words((5, 6, 8), u64::MAX - 48, &|_| 2, 300);
    }
}
