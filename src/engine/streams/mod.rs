//! Random streams and the generation of each failure process's outages.

mod chacha;
mod exp1;
mod outages;

pub use chacha::{stream, Stream, Tape};
pub use outages::{generate_outages, generate_tilted_outages};
