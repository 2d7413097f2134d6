//! Reading what a user hands over on the command line: values files, `--set-file` files,
//! the old state of a diff, a file to import; `-` is standard input.
//!
//! Every such read is capped: reading costs memory in proportion to the text (a value tree
//! keeps a position per node), and no input Helm can install is anywhere near the cap (Helm
//! stores a release, values and manifests, in one Secret of at most 1 MiB compressed).

use std::io::Read;

/// The most redis-ha reads from one file or from standard input.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The text of `path` (`-`: standard input), refused past [`MAX_INPUT_BYTES`].
pub fn read_text(path: &str) -> std::io::Result<String> {
    if path == "-" {
        read_capped(std::io::stdin().lock())
    } else {
        read_capped(std::fs::File::open(path)?)
    }
}

fn read_capped(reader: impl Read) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, the most redis-ha reads from one input (Helm cannot store a release that large)",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_capped() {
        let cap = usize::try_from(MAX_INPUT_BYTES).unwrap();
        assert_eq!(read_capped(&b"a: 1\n"[..]).unwrap(), "a: 1\n");
        assert_eq!(read_capped(&vec![b'a'; cap][..]).unwrap().len(), cap);
        let err = read_capped(&vec![b'a'; cap + 1][..]).unwrap_err();
        assert!(err.to_string().contains("16 MiB"), "{err}");
        let err = read_capped(&b"a: \xff\n"[..]).unwrap_err();
        assert!(err.to_string().contains("byte 3"), "{err}");
    }
}
