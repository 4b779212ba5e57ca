//! Streams read again: the variants of a run (the draws of uncertain
//! inputs) simulate the same trial one after the other, each process on
//! the same stream, so the ChaCha output one variant computed is kept on
//! the process's [`Tape`] and copied by the next instead of computed again.
//! Word for word the same output; a plain run never tapes.

use super::{refill, Origin, Stream, BLOCK_BYTES};

/// The output of one stream as far as it was computed, for the next
/// variant of the same trial.
#[derive(Debug, Clone, Default)]
pub struct Tape {
    /// The stream it holds: seed, purpose and trial.
    origin: Option<(u64, u64, u64)>,
    /// Its refills, in order.
    bytes: Vec<u8>,
}

impl Origin {
    fn id(self) -> (u64, u64, u64) {
        (self.seed, self.stream_key, self.trial)
    }
}

impl Stream {
    /// As [`Stream::restart`], reading `tape` where it holds this stream's
    /// output and keeping on it what is computed beyond; [`Stream::untape`]
    /// gives it back.
    pub fn restart_taped(&mut self, seed: u64, stream_key: u64, trial: u64, tape: &mut Tape) {
        self.restart(seed, stream_key, trial);
        std::mem::swap(&mut self.tape, tape);
        let id = self.origin.id();
        if self.tape.origin != Some(id) {
            self.tape.origin = Some(id);
            self.tape.bytes.clear();
        }
        self.tape_read = 0;
        self.taping = true;
    }

    /// Gives the tape back after [`Stream::restart_taped`].
    pub fn untape(&mut self, tape: &mut Tape) {
        std::mem::swap(&mut self.tape, tape);
        self.taping = false;
    }

    /// The next blocks into the end of `block` from `start` (bytes): copied
    /// from the tape where it holds them (the block counter moved past
    /// them), else computed and kept on it; returns the word they start at.
    #[cold]
    #[inline(never)]
    pub(super) fn refill_taped(&mut self, start: usize) -> usize {
        let len = BLOCK_BYTES - start;
        let blocks = (len / 64) as u32;
        let read = self.tape_read;
        let position = self.core.get_block_pos();
        let kept = self.tape.bytes.get(read..read + len);
        match kept {
            // (no carry into the counter's high half on the way)
            Some(bytes) if position < u32::MAX - blocks => {
                self.block[start..].copy_from_slice(bytes);
                self.core.set_block_pos(position + blocks);
            }
            _ => {
                let out = &mut self.block[start..];
                refill(&mut self.core, &mut self.counter_high, self.origin, out);
                if read == self.tape.bytes.len() {
                    self.tape.bytes.extend_from_slice(&self.block[start..]);
                }
            }
        }
        self.tape_read = read + len;
        start / 4
    }
}

#[cfg(test)]
mod tests {
    use rand::TryRng;

    use super::super::stream;
    use super::*;

    /// Reads `n` words of the stream (seed 7, purpose 8, trial `trial`)
    /// through `tape`.
    fn taped(s: &mut Stream, tape: &mut Tape, trial: u64, n: usize) -> Vec<u64> {
        s.restart_taped(7, 8, trial, tape);
        let words = (0..n).map(|_| s.try_next_u64().unwrap_or(0)).collect();
        s.untape(tape);
        words
    }

    #[test]
    fn a_taped_stream_gives_the_streams_words_however_far_each_reads() {
        let plain = |trial: u64, n: usize| -> Vec<u64> {
            let mut s = stream(7, 8, trial);
            (0..n).map(|_| s.try_next_u64().unwrap_or(0)).collect()
        };
        let (mut s, mut tape) = (stream(0, 0, 0), Tape::default());
        // a first variant reads a little, the next more (past the tape),
        // the next less; then another trial starts a new tape
        for (trial, n) in [(3, 10), (3, 200), (3, 5), (3, 200), (4, 70), (3, 90)] {
            assert_eq!(
                taped(&mut s, &mut tape, trial, n),
                plain(trial, n),
                "{trial} {n}"
            );
        }
    }
}
