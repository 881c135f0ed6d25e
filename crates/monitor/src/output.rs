//! Writing output files atomically: to a temporary file in the same directory, then
//! renamed into place. A failure leaves no partial file behind, and an existing file
//! is only replaced by a complete new one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::MonitorError;

/// Creates `path` atomically with the bytes `write` produces. The temporary file is
/// removed if `write` fails. `public` sets mode 0644 (for published reports); other
/// files keep tempfile's 0600, as they hold data about households.
pub fn write_atomically<F>(path: &Path, public: bool, write: F) -> Result<(), MonitorError>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> Result<(), MonitorError>,
{
    let shown = path.display().to_string();
    let io_err = |source: std::io::Error| MonitorError::Write {
        path: shown.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".baken-monitor-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err)?;
    {
        let mut out = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        write(&mut out)?;
        out.flush().map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    #[cfg(unix)]
    if public {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(io_err)?;
    }
    #[cfg(not(unix))]
    let _ = public;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}
