//! Link settings of the release build of the program that make it map less of itself.
//!
//! - The functions that run on livefeed's usual paths (`link/hot-functions.txt`, written by
//!   `scripts/hot-functions.sh`) are laid out together, so the pages of code the program
//!   maps are mostly code it runs.
//! - Relative relocations are packed (`DT_RELR`): the table the loader reads at every start
//!   shrinks from over half a megabyte to a few kilobytes.
//!
//! Each is used only when the linker takes it (lld does) and, for the second, when a
//! program so linked runs here (it needs glibc 2.36 or later); otherwise the build is as
//! without it.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let list = manifest.join("link").join("hot-functions.txt");
    println!("cargo::rerun-if-changed={}", list.display());
    if std::env::var("PROFILE").as_deref() != Ok("release") {
        return;
    }
    let mut wanted = Vec::new();
    if list.is_file() {
        wanted.push((
            vec![
                format!("-Wl,--symbol-ordering-file={}", list.display()),
                // Names missing from this build (a newer compiler, changed code) are not
                // errors: those functions are laid out as without the list.
                "-Wl,--no-warn-symbol-ordering".to_string(),
            ],
            false,
        ));
    }
    wanted.push((vec!["-Wl,-z,pack-relative-relocs".to_string()], true));
    for (args, must_run) in wanted {
        if works(&args, must_run) {
            for arg in args {
                println!("cargo::rustc-link-arg-bin=livefeed={arg}");
            }
        }
    }
}

/// Whether an empty program links with `args`, for the target and with the linker and
/// flags of this build, and, if `must_run`, runs here (never when building for another
/// target).
fn works(args: &[String], must_run: bool) -> bool {
    let target = std::env::var("TARGET").unwrap_or_default();
    if must_run && std::env::var("HOST").unwrap_or_default() != target {
        return false;
    }
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let probe = out.join("probe.rs");
    let program = out.join("probe");
    if std::fs::write(&probe, "fn main() {}\n").is_err() {
        return false;
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut command = Command::new(rustc);
    command
        .args(["--crate-type=bin", "--target", &target, "-o"])
        .arg(&program)
        .arg(&probe)
        .current_dir(&out);
    if let Ok(linker) = std::env::var("RUSTC_LINKER") {
        command.arg(format!("-Clinker={linker}"));
    }
    if let Ok(flags) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        command.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    for arg in args {
        command.arg(format!("-Clink-arg={arg}"));
    }
    let linked = command.output().is_ok_and(|o| o.status.success());
    linked && (!must_run || Command::new(&program).status().is_ok_and(|s| s.success()))
}
