//! Page size for large inputs.
//!
//! The allocator (mimalloc, whose counts regorus's memory limit reads) reserves its arena
//! with `MADV_HUGEPAGE`, so the process's memory comes in 2 MiB pages. On the virtual
//! machines this project is built and measured on, a fresh 2 MiB page costs far more to
//! fault in than 512 small ones (touching 1 GiB once: 3.3 s with huge pages, 0.65 s
//! without; `/proc/vmstat` counts no compaction stalls, so most likely the host backs each
//! page anew: the VM's balloon device hands free memory back). A check of a large estate
//! faults in gigabytes: at 3,000 generated workspaces (73 MB) 1.8–2.1 s of system time in a
//! 4.7–5.1 s run, 0.6–0.9 s with huge pages off (medians of three interleaved runs: 4.72 s
//! against 4.19 s wall); at 10,000, 6.1 s against 2.6 s system and 14.8 s against 12.8 s
//! wall, user time unchanged. A small input is the other way round: the bundled example
//! took about 19 ms of CPU with huge pages and 22–33 ms without (four times the page
//! faults). So huge pages go off only when the input files are large. On a machine where
//! huge pages are cheap to fault in, this costs a large check little (more, smaller faults).

use std::path::PathBuf;

/// Input files at least this large together turn transparent huge pages off. At 24 MB
/// (1,000 generated workspaces) the two were within the noise of this host.
const LARGE_INPUT_BYTES: u64 = 32 << 20;

/// Turns transparent huge pages off for this process when `paths` name large files.
/// Directories and standard input are not counted (a Terraform module of 20,000 resources
/// is a few megabytes). The flag is inherited by the tools a check runs (`terraform`,
/// `bicep`), which gain nothing from huge pages either.
pub(crate) fn for_inputs(paths: &[PathBuf]) {
    if file_bytes(paths) >= LARGE_INPUT_BYTES {
        no_transparent_huge_pages();
    }
}

/// The total size of the regular files among `paths`.
fn file_bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // The kernel reads every argument as an `unsigned long` and refuses the call unless the
    // last three are zero: pass them at that width, not as `int`s whose upper halves a
    // variadic call leaves unspecified.
    let (on, zero): (libc::c_ulong, libc::c_ulong) = (1, 0);
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` takes no pointers and sets one flag
    // of this process's memory map, read by the kernel at later page faults. A kernel
    // without it returns an error, which changes nothing.
    #[allow(unsafe_code)]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, on, zero, zero, zero);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_count() {
        let dir = std::env::temp_dir().join(format!("ahds-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.json");
        let b = dir.join("b.json");
        std::fs::write(&a, vec![b' '; 1000]).unwrap();
        std::fs::write(&b, vec![b' '; 234]).unwrap();
        let paths = vec![
            a,
            dir.clone(),
            b,
            PathBuf::from("-"),
            dir.join("missing.json"),
        ];
        assert_eq!(file_bytes(&paths), 1234);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The flag reaches the kernel: the process's status says huge pages are off. (Once off,
    /// nothing in the process turns them on again, so the case below the threshold would
    /// need a process of its own; `only_regular_files_count` covers the sum it compares.)
    #[cfg(target_os = "linux")]
    #[test]
    fn large_input_files_turn_huge_pages_off() {
        let dir = std::env::temp_dir().join(format!("ahds-pages-large-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("estate.json");
        // Sparse: the size counts, nothing is written.
        std::fs::File::create(&big)
            .unwrap()
            .set_len(LARGE_INPUT_BYTES)
            .unwrap();
        for_inputs(&[big]);
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("THP_enabled:"))
            .expect("Linux 5.0 or later reports THP_enabled");
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
