//! QR codes for the tables, as SVG (to print at any size) and PNG (to drop into any layout),
//! both with the quiet zone scanners need (4 modules of white on every side).

use png::{BitDepth, ColorType, Encoder};
use qrcode::{Color, QrCode};

/// White modules around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;
/// Pixels per module in the PNG (a 29-module code makes a 370-pixel image).
const PNG_PIXELS_PER_MODULE: usize = 10;

/// A QR code's modules, ready to draw.
pub struct QrImage {
    /// Modules per side, without the quiet zone.
    width: usize,
    /// Row-major, true for dark.
    dark: Vec<bool>,
}

/// Why a text could not become a QR code.
#[derive(Debug, thiserror::Error)]
#[error("the text does not fit in a QR code: {0}")]
pub struct QrTooLong(String);

impl QrImage {
    /// Encodes `text` (medium error correction).
    pub fn encode(text: &str) -> Result<QrImage, QrTooLong> {
        let code = QrCode::new(text.as_bytes()).map_err(|e| QrTooLong(e.to_string()))?;
        let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(QrImage { width: code.width(), dark })
    }

    /// Modules per side, quiet zone included.
    pub fn side(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// Runs of dark modules per row: `(x, y, length)`, in module units without the quiet zone.
    fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                runs.push((start, y, x - start));
            }
        }
        runs
    }

    /// An SVG document: a white square and one path of dark runs, one unit per module.
    pub fn svg(&self) -> String {
        let side = self.side();
        let mut path = String::new();
        for (x, y, length) in self.dark_runs() {
            path.push_str(&format!("M{},{}h{length}v1h-{length}z", x + QUIET_ZONE, y + QUIET_ZONE));
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
        )
    }

    /// An 8-bit greyscale PNG.
    pub fn png(&self) -> Vec<u8> {
        let pixels = self.side() * PNG_PIXELS_PER_MODULE;
        let mut image = vec![255u8; pixels * pixels];
        for (x, y, length) in self.dark_runs() {
            let left = (x + QUIET_ZONE) * PNG_PIXELS_PER_MODULE;
            let top = (y + QUIET_ZONE) * PNG_PIXELS_PER_MODULE;
            for row in top..top + PNG_PIXELS_PER_MODULE {
                let start = row * pixels + left;
                image[start..start + length * PNG_PIXELS_PER_MODULE].fill(0);
            }
        }
        encode_png(&image, pixels as u32)
    }
}

fn encode_png(greyscale: &[u8], side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, side, side);
    encoder.set_color(ColorType::Grayscale);
    encoder.set_depth(BitDepth::Eight);
    let mut writer = encoder.write_header().expect("writing to memory cannot fail");
    writer.write_image_data(greyscale).expect("the image has the declared size");
    writer.finish().expect("writing to memory cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_decodes_back_to_the_text() {
        let url = "http://192.168.1.5:8080/t/abc123/7";
        let png = QrImage::encode(url).unwrap().png();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, url);
    }

    #[test]
    fn the_svg_has_a_quiet_zone() {
        let qr = QrImage::encode("x").unwrap();
        let svg = qr.svg();
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", qr.width + 8)));
        assert!(svg.contains("M4,4h7v1h-7z"), "the finder pattern starts after 4 quiet modules: {svg}");
    }
}
