//! Helpers shared by several command families.
//!
//! - [`long_double`]: emulated x86 `long double` arithmetic and formatting
//!   (INCRBYFLOAT, HINCRBYFLOAT), with `big_uint` for its exact conversions.

mod big_uint;
pub mod long_double;
