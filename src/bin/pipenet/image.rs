//! Writing a map or plot as SVG, or as PNG when the file name ends in `.png`.

use std::path::Path;

use anyhow::{bail, Result};

/// Whether `out` asks for a PNG (by its extension, any case).
fn wants_png(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
}

/// Refuses, before any work, an image this build cannot write: a PNG
/// without the `png` feature, or a name that is neither .svg nor .png.
pub fn check_format(out: &Path) -> Result<()> {
    if wants_png(out) && !cfg!(feature = "png") {
        bail!(
            "{}: this pipenet was built without PNG support; rebuild it with \
             `cargo build --release --features png` (or write .svg and convert it, \
             e.g. `rsvg-convert map.svg -o map.png`)",
            out.display()
        );
    }
    let svg = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !svg && !wants_png(out) {
        bail!("{}: give a .svg or .png file name", out.display());
    }
    Ok(())
}

/// Writes the SVG document, or its PNG rendering, whole or not at all.
pub fn write(out: &Path, svg: &str) -> Result<()> {
    let bytes = if wants_png(out) {
        png(svg)?
    } else {
        svg.as_bytes().to_vec()
    };
    super::write_atomically(out, |w| {
        std::io::Write::write_all(w, &bytes)?;
        Ok(())
    })
}

#[cfg(feature = "png")]
fn png(svg: &str) -> Result<Vec<u8>> {
    Ok(pipenet::report::png::svg_to_png(svg)?)
}

#[cfg(not(feature = "png"))]
fn png(_svg: &str) -> Result<Vec<u8>> {
    bail!("this pipenet was built without PNG support (cargo feature `png`)")
}
