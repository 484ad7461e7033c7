//! PNG images of pipenet's SVG maps and plots, rendered by resvg with the system's fonts.
//!
//! Only with the `png` cargo feature. The SVG is the one [`super::svg`] or
//! [`super::plot`] writes, rendered at its own size (one pixel per SVG
//! unit) on its white background.

use resvg::{tiny_skia, usvg};

/// Why an SVG could not be turned into a PNG.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// The SVG did not parse (a bug in the writer, not the user's input).
    #[error("cannot read the SVG: {0}")]
    Svg(#[from] usvg::Error),
    /// No font was found, so every label would be missing.
    #[error("no fonts found on this system: the PNG would have no text (install fonts, e.g. fonts-dejavu-core, or write .svg)")]
    NoFonts,
    /// The image has no area or is too large to allocate.
    #[error("cannot make an image of {width} x {height} px")]
    Size {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// Encoding failed.
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

/// Renders an SVG document to PNG bytes.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, PngError> {
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    if options.fontdb.is_empty() {
        return Err(PngError::NoFonts);
    }
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(PngError::Size { width, height })?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| PngError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_svg_becomes_a_png_of_its_size() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"20\">\
                   <rect width=\"30\" height=\"20\" fill=\"white\"/></svg>";
        let Ok(png) = svg_to_png(svg) else {
            // A machine without fonts cannot render; the error says so.
            return;
        };
        assert_eq!(&png[1..4], b"PNG");
        // IHDR: width and height, big-endian, from byte 16.
        assert_eq!(u32::from_be_bytes([png[16], png[17], png[18], png[19]]), 30);
        assert_eq!(u32::from_be_bytes([png[20], png[21], png[22], png[23]]), 20);
    }
}
