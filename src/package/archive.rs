//! The `.tgz` as `helm package` writes it, made reproducible: regular files only under
//! `<chart>/`, `Chart.yaml` first and then sorted, mode 0644, owner 0, one mtime for every
//! entry, and a gzip header without timestamp or file name. The same files and mtime give the
//! same bytes. Placing the archive on disk belongs to [`super::write`].

use std::io::Write as _;

use flate2::Compression;
use flate2::GzBuilder;

use super::PackageFile;

/// The mtime of every entry when `SOURCE_DATE_EPOCH` is not set: 1980-01-01T00:00:00Z, the
/// earliest time every archive format can hold (zip starts there).
pub const DEFAULT_MTIME: u64 = 315_532_800;

/// `files` in archive order: `Chart.yaml` first, then by path.
pub fn archive_order(files: &mut [PackageFile]) {
    files.sort_by(|a, b| {
        (a.path != "Chart.yaml", a.path.as_str()).cmp(&(b.path != "Chart.yaml", b.path.as_str()))
    });
}

/// The gzipped tar of `files` under `<chart>/`.
pub fn tgz(chart: &str, files: &[PackageFile], mtime: u64) -> std::io::Result<Vec<u8>> {
    let mut ordered = files.to_vec();
    archive_order(&mut ordered);
    let gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::default());
    let mut tar = tar::Builder::new(gz);
    for file in &ordered {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_size(file.content.len() as u64);
        tar.append_data(
            &mut header,
            format!("{chart}/{}", file.path),
            file.content.as_slice(),
        )?;
    }
    let mut gz = tar.into_inner()?;
    gz.flush()?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn file(path: &str, content: &str) -> PackageFile {
        PackageFile {
            path: path.to_owned(),
            content: content.as_bytes().to_vec(),
        }
    }

    #[test]
    fn layout_and_reproducibility() {
        let files = vec![
            file("values.yaml", "a: 1\n"),
            file("templates/b.yaml", "b"),
            file("Chart.yaml", "name: x\n"),
            file("README.md", "r"),
        ];
        let bytes = tgz("x", &files, 42).unwrap();
        assert_eq!(bytes, tgz("x", &files, 42).unwrap());
        // gzip: no mtime (bytes 4..8), no FNAME flag (bit 3 of byte 3).
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
        assert_eq!(bytes[3] & 0x08, 0);
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let h = entry.header();
            assert_eq!(h.entry_type(), tar::EntryType::Regular);
            assert_eq!(h.mode().unwrap(), 0o644);
            assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
            assert_eq!(h.mtime().unwrap(), 42);
            let path = entry.path().unwrap().display().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            seen.push((path, text));
        }
        let paths: Vec<_> = seen.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "x/Chart.yaml",
                "x/README.md",
                "x/templates/b.yaml",
                "x/values.yaml"
            ]
        );
        assert_eq!(seen[3].1, "a: 1\n");
    }
}
