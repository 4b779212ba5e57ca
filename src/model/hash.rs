//! Stable hashes: the FNV-1a keys that name random streams.

/// The purpose part of a random stream's seed: the FNV-1a of the parts, each
/// followed by the byte 0xFF, which never occurs in UTF-8 text, so distinct
/// lists of names never share a key (however the names use `/`).
pub fn stream_key(parts: &[&[u8]]) -> u64 {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(part);
        bytes.push(0xff);
    }
    fnv1a(&bytes)
}

/// FNV-1a, 64 bit: a stable hash for stream keys (never `DefaultHasher`).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
