//! Putting a package on disk all at once: the archive is written to a temporary file in the
//! destination directory and renamed over the target; the unpacked chart is staged as a
//! directory there and renamed. On any error nothing is left behind, directories this created
//! included.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Package, PackageError, README_MARKER};

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PackageError + '_ {
    move |source| PackageError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Creates `dir` and its missing parents; returns those it created, deepest last.
fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>, PackageError> {
    let mut missing = Vec::new();
    let mut current = Some(dir);
    while let Some(d) = current {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_path_buf());
        current = d.parent();
    }
    missing.reverse();
    match fs::create_dir_all(dir) {
        Ok(()) => Ok(missing),
        Err(source) => {
            remove_dirs(&missing);
            Err(PackageError::Io {
                path: dir.display().to_string(),
                source,
            })
        }
    }
}

/// Removes directories created by [`create_dirs`], if still empty.
fn remove_dirs(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

/// Runs `f` after creating `dir`; on error, removes the directories that were created.
fn in_dir<T>(dir: &Path, f: impl FnOnce() -> Result<T, PackageError>) -> Result<T, PackageError> {
    let created = create_dirs(dir)?;
    let result = f();
    if result.is_err() {
        remove_dirs(&created);
    }
    result
}

/// The same file or directory, once both exist.
fn same_path(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Every path this module writes is `dir` joined with these names: one path component for
/// the chart, relative paths of normal components for its files. The chart loader already
/// refuses other names; this is the last check before the disk.
fn check_names(package: &Package) -> Result<(), PackageError> {
    use std::path::Component;
    let bad = |name: &str| PackageError::Io {
        path: name.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a relative path inside the package",
        ),
    };
    crate::chart::validate_chart_name(&package.name).map_err(|_| bad(&package.name))?;
    crate::chart::validate_chart_name(&package.archive_name())
        .map_err(|_| bad(&package.archive_name()))?;
    for file in &package.files {
        let path = Path::new(&file.path);
        if file.path.is_empty()
            || path
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(bad(&file.path));
        }
    }
    Ok(())
}

/// Writes `DIR/<chart>-<version>.tgz`, replacing an existing file atomically.
pub fn write_archive(
    dir: &Path,
    package: &Package,
    mtime: u64,
    source_chart: Option<&Path>,
) -> Result<PathBuf, PackageError> {
    check_names(package)?;
    let target = dir.join(package.archive_name());
    if source_chart.is_some_and(|s| same_path(s, &target)) {
        return Err(PackageError::OverwritesSource {
            path: target.display().to_string(),
        });
    }
    let bytes = package.tgz(mtime).map_err(io_error(&target))?;
    in_dir(dir, || {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".redis-ha-package-").suffix(".tgz.tmp");
        // Readable by all, as `helm package` leaves it (the default would be 0600).
        #[cfg(unix)]
        builder.permissions(permissions(0o644));
        let mut temp = builder.tempfile_in(dir).map_err(io_error(dir))?;
        temp.write_all(&bytes).map_err(io_error(temp.path()))?;
        temp.as_file().sync_all().map_err(io_error(temp.path()))?;
        temp.persist(&target)
            .map_err(|e| io_error(&target)(e.error))?;
        Ok(target.clone())
    })
}

/// Writes the chart directory `DIR/<chart>/`. An existing directory is replaced only when it
/// is an earlier package (its README says so), never a chart someone is writing.
pub fn write_unpacked(
    dir: &Path,
    package: &Package,
    source_chart: Option<&Path>,
) -> Result<PathBuf, PackageError> {
    check_names(package)?;
    let target = dir.join(&package.name);
    if source_chart.is_some_and(|s| same_path(s, &target)) {
        return Err(PackageError::OverwritesSource {
            path: target.display().to_string(),
        });
    }
    if let Ok(meta) = fs::symlink_metadata(&target) {
        let earlier_package = meta.is_dir()
            && fs::read_to_string(target.join("README.md"))
                .is_ok_and(|text| text.contains(README_MARKER));
        if !earlier_package {
            return Err(PackageError::Exists {
                path: target.display().to_string(),
            });
        }
    }
    in_dir(dir, || {
        let staging = tempfile::Builder::new()
            .prefix(".redis-ha-package-")
            .tempdir_in(dir)
            .map_err(io_error(dir))?;
        set_mode(staging.path(), 0o755).map_err(io_error(staging.path()))?;
        for file in &package.files {
            let path = staging.path().join(&file.path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            fs::write(&path, &file.content).map_err(io_error(&path))?;
        }
        replace_dir(staging, &target)?;
        Ok(target.clone())
    })
}

/// Moves a staged directory to `target`, moving an existing one aside first and deleting it
/// after; if the move fails, the old directory is put back.
fn replace_dir(staging: tempfile::TempDir, target: &Path) -> Result<(), PackageError> {
    let staged = staging.keep();
    let restore = |e: PackageError| {
        let _ = fs::remove_dir_all(&staged);
        e
    };
    if !target.exists() {
        return fs::rename(&staged, target)
            .map_err(io_error(target))
            .map_err(restore);
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    let aside = tempfile::Builder::new()
        .prefix(".redis-ha-package-old-")
        .tempdir_in(parent)
        .map_err(io_error(parent))
        .map_err(restore)?;
    let old = aside.path().join("old");
    fs::rename(target, &old)
        .map_err(io_error(target))
        .map_err(restore)?;
    if let Err(source) = fs::rename(&staged, target) {
        let _ = fs::rename(&old, target);
        return Err(restore(PackageError::Io {
            path: target.display().to_string(),
            source,
        }));
    }
    // `aside` is deleted with what it holds when dropped.
    drop(aside);
    Ok(())
}

#[cfg(unix)]
fn permissions(mode: u32) -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt as _;
    fs::Permissions::from_mode(mode)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    fs::set_permissions(path, permissions(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}
