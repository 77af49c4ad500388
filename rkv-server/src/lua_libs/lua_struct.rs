//! `struct`: Roberto Ierusalimschy's struct library as Redis bundles it
//! (deps/lua/src/lua_struct.c), on x86-64 (`long` and `size_t` are 8 bytes,
//! native order little-endian, maximum alignment 8).
//!
//! Format: `>` big-endian, `<` little-endian, `!n` alignment (default 8),
//! `x` a pad byte, `b/B` char, `h/H` short, `l/L` long, `T` size_t,
//! `i/In` int of n bytes (default 4, at most 32), `f` float, `d` double,
//! `s` zero-terminated string, `cn` n chars (`c0`: the whole string when
//! packing, the previous number as length when unpacking), spaces ignored.
//! The format ends at its first NUL byte, as a C string does.

use std::ffi::{c_int, CStr};

use mlua::ffi::{self, lua_State};

use super::capi::{self, lua_cfunction, x86_f64_to_i64, x86_f64_to_u64, LibResult, Raise};

/// The largest integer size `i`/`I` take.
const MAX_INT_SIZE: c_int = 32;
/// The default of `!`: the alignment of a double.
const MAX_ALIGN: c_int = 8;

/// The library's functions, for `luaL_register`-style installation.
pub const FUNCTIONS: &[(&CStr, ffi::lua_CFunction)] =
    &[(c"pack", b_pack), (c"unpack", b_unpack), (c"size", b_size)];

lua_cfunction!(
    /// `struct.pack(fmt, v1, v2, ...)`.
    b_pack => pack_impl
);
lua_cfunction!(
    /// `struct.unpack(fmt, s[, init])`: the values, then the next position.
    b_unpack => unpack_impl
);
lua_cfunction!(
    /// `struct.size(fmt)`.
    b_size => size_impl
);

#[derive(Clone, Copy, PartialEq)]
enum Endian {
    Big,
    Little,
}

/// The current byte order and maximum alignment.
struct Header {
    endian: Endian,
    align: usize,
}

impl Header {
    fn new() -> Self {
        Header {
            endian: Endian::Little,
            align: 1,
        }
    }
}

/// The format string: up to its first NUL.
struct Format<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Format<'_> {
    fn peek(&self) -> u8 {
        self.bytes.get(self.pos).copied().unwrap_or(0)
    }

    /// The next option character, or `None` at the end.
    fn next_option(&mut self) -> Option<u8> {
        let c = self.peek();
        if c == 0 {
            return None;
        }
        self.pos += 1;
        Some(c)
    }

    /// An optional decimal number after an option.
    fn number(&mut self, default: c_int) -> Result<c_int, Raise> {
        if !self.peek().is_ascii_digit() {
            return Ok(default);
        }
        let mut a: c_int = 0;
        while self.peek().is_ascii_digit() {
            let digit = c_int::from(self.peek() - b'0');
            if a > c_int::MAX / 10 || a * 10 > c_int::MAX - digit {
                return Err(Raise::located("integral size overflow"));
            }
            a = a * 10 + digit;
            self.pos += 1;
        }
        Ok(a)
    }

    /// The size of option `opt` (reading its number if it takes one).
    fn option_size(&mut self, opt: u8) -> Result<usize, Raise> {
        Ok(match opt {
            b'B' | b'b' | b'x' => 1,
            b'H' | b'h' => 2,
            b'L' | b'l' | b'T' | b'd' => 8,
            b'f' => 4,
            b'c' => self.number(1)? as usize,
            b'i' | b'I' => {
                let size = self.number(4)?;
                if size > MAX_INT_SIZE {
                    return Err(Raise::located(format!(
                        "integral size {size} is larger than limit of {MAX_INT_SIZE}"
                    )));
                }
                size as usize
            }
            _ => 0,
        })
    }

    /// Applies a non-data option (endianness, alignment, space); anything
    /// else is an invalid option.
    fn control(&mut self, opt: u8, h: &mut Header) -> Result<(), Raise> {
        match opt {
            b' ' => {}
            b'>' => h.endian = Endian::Big,
            b'<' => h.endian = Endian::Little,
            b'!' => {
                let a = self.number(MAX_ALIGN)?;
                if !(a > 0 && a & (a - 1) == 0) {
                    return Err(Raise::located(format!("alignment {a} is not a power of 2")));
                }
                h.align = a as usize;
            }
            _ => {
                let mut msg = b"invalid format option '".to_vec();
                msg.push(opt);
                msg.push(b'\'');
                return Err(Raise::arg(1, msg));
            }
        }
        Ok(())
    }
}

/// Padding needed before an item of `size` at offset `len`.
fn padding(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size.wrapping_sub(len & (size - 1))) & (size - 1)
}

fn is_integer_option(opt: u8) -> bool {
    matches!(
        opt,
        b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I'
    )
}

/// `luaL_checkstring` as a C string: up to the first NUL.
unsafe fn check_format<'a>(l: *mut lua_State) -> Result<Format<'a>, Raise> {
    let arg = capi::check_bytes(l, 1)?;
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    Ok(Format {
        bytes: &arg[..end],
        pos: 0,
    })
}

unsafe fn pack_impl(l: *mut lua_State) -> LibResult {
    let mut fmt = check_format(l)?;
    let mut h = Header::new();
    // The C code pushes a nil mark after the arguments, so a missing first
    // extra argument reads as "got nil" (its luaL_Buffer, which could
    // stack partial strings after 8 KiB, is not reproduced).
    ffi::lua_pushnil(l);
    let mut arg: c_int = 2;
    let mut total: usize = 0;
    let mut out = Vec::new();
    while let Some(opt) = fmt.next_option() {
        let mut size = fmt.option_size(opt)?;
        let pad = padding(total, &h, opt, size);
        total += pad;
        out.resize(out.len() + pad, 0);
        match opt {
            _ if is_integer_option(opt) => {
                let n = capi::check_number(l, arg)?;
                arg += 1;
                let mut value = if n < 0.0 {
                    x86_f64_to_i64(n) as u64
                } else {
                    x86_f64_to_u64(n)
                };
                let mut bytes = [0u8; MAX_INT_SIZE as usize];
                for byte in bytes.iter_mut().take(size) {
                    *byte = value as u8;
                    value = value.checked_shr(8).unwrap_or(0);
                }
                if h.endian == Endian::Big {
                    bytes[..size].reverse();
                }
                out.extend_from_slice(&bytes[..size]);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = capi::check_number(l, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&if h.endian == Endian::Big {
                    f.to_be_bytes()
                } else {
                    f.to_le_bytes()
                });
            }
            b'd' => {
                let d = capi::check_number(l, arg)?;
                arg += 1;
                out.extend_from_slice(&if h.endian == Endian::Big {
                    d.to_be_bytes()
                } else {
                    d.to_le_bytes()
                });
            }
            b'c' | b's' => {
                let s = capi::check_bytes(l, arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    // The C code reports the already-advanced argument number.
                    return Err(Raise::arg(arg, "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                    size += 1;
                }
            }
            _ => fmt.control(opt, &mut h)?,
        }
        total += size;
    }
    capi::push_bytes(l, &out);
    Ok(1)
}

/// Reads an integer of `bytes.len()` bytes (only the low 64 bits survive).
fn read_integer(bytes: &[u8], endian: Endian, signed: bool) -> f64 {
    let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
    let value = match endian {
        Endian::Big => bytes.iter().fold(0, fold),
        Endian::Little => bytes.iter().rev().fold(0, fold),
    };
    if !signed {
        return value as f64;
    }
    // x86 masks the shift count to 6 bits, which the C code relies on for
    // sizes 0 and above 8.
    let shift = ((bytes.len() as i64 * 8 - 1) & 63) as u32;
    let mask = u64::MAX << shift;
    let value = if value & mask != 0 {
        value | mask
    } else {
        value
    };
    value as i64 as f64
}

unsafe fn unpack_impl(l: *mut lua_State) -> LibResult {
    let mut fmt = check_format(l)?;
    let data = capi::check_bytes(l, 2)?;
    let ld = data.len();
    let mut pos = capi::opt_integer(l, 3, 1)? as usize;
    if pos == 0 {
        return Err(Raise::arg(3, "offset must be 1 or greater"));
    }
    pos -= 1;
    let mut h = Header::new();
    let mut n: c_int = 0;
    let too_short = || Raise::arg(2, "data string too short");
    while let Some(opt) = fmt.next_option() {
        let mut size = fmt.option_size(opt)?;
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        if !(size <= ld && pos <= ld - size) {
            return Err(too_short());
        }
        capi::check_stack(l, 2, "too many results")?;
        match opt {
            _ if is_integer_option(opt) => {
                let value =
                    read_integer(&data[pos..pos + size], h.endian, opt.is_ascii_lowercase());
                ffi::lua_pushnumber(l, value);
                n += 1;
            }
            b'x' => {}
            b'f' => {
                let raw: [u8; 4] = data[pos..pos + 4].try_into().unwrap_or_default();
                let f = if h.endian == Endian::Big {
                    f32::from_be_bytes(raw)
                } else {
                    f32::from_le_bytes(raw)
                };
                ffi::lua_pushnumber(l, f64::from(f));
                n += 1;
            }
            b'd' => {
                let raw: [u8; 8] = data[pos..pos + 8].try_into().unwrap_or_default();
                let d = if h.endian == Endian::Big {
                    f64::from_be_bytes(raw)
                } else {
                    f64::from_le_bytes(raw)
                };
                ffi::lua_pushnumber(l, d);
                n += 1;
            }
            b'c' => {
                if size == 0 {
                    if n == 0 || ffi::lua_isnumber(l, -1) == 0 {
                        return Err(Raise::located("format 'c0' needs a previous size"));
                    }
                    size = x86_f64_to_u64(ffi::lua_tonumber(l, -1)) as usize;
                    ffi::lua_pop(l, 1);
                    n -= 1;
                    if !(size <= ld && pos <= ld - size) {
                        return Err(too_short());
                    }
                }
                capi::push_bytes(l, &data[pos..pos + size]);
                n += 1;
            }
            b's' => {
                let Some(len) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err(Raise::located("unfinished string in data"));
                };
                size = len + 1;
                capi::push_bytes(l, &data[pos..pos + len]);
                n += 1;
            }
            _ => fmt.control(opt, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    ffi::lua_pushinteger(l, pos.wrapping_add(1) as i64);
    Ok(n + 1)
}

unsafe fn size_impl(l: *mut lua_State) -> LibResult {
    let mut fmt = check_format(l)?;
    let mut h = Header::new();
    let mut pos: usize = 0;
    while let Some(opt) = fmt.next_option() {
        let size = fmt.option_size(opt)?;
        pos += padding(pos, &h, opt, size);
        if opt == b's' {
            return Err(Raise::arg(1, "option 's' has no fixed size"));
        }
        if opt == b'c' && size == 0 {
            return Err(Raise::arg(1, "option 'c0' has no fixed size"));
        }
        // Letters and digits without a meaning are silently size 0 here.
        if !opt.is_ascii_alphanumeric() {
            fmt.control(opt, &mut h)?;
        }
        pos += size;
    }
    ffi::lua_pushinteger(l, pos as i64);
    Ok(1)
}

#[cfg(test)]
mod tests;
