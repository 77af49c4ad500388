//! struct cases. Each case runs in a fresh state; the expected outputs were
//! obtained by sending the same wrapped scripts to redis-server 7.0.15
//! (see `test_support`).

use crate::lua_libs::test_support::check_cases;

#[test]
fn pack() {
    check_cases(&[
        (
            r#"return hex(struct.pack('bBhHlLiIT', -1, 255, -2, 65535, -3, 2^40, -4, 4294967295, 7))"#,
            r#""fffffefffffffdffffffffffffff0000000000010000fcffffffffffffff0700000000000000""#,
        ),
        (
            r#"return hex(struct.pack('>bBhHlLiIT', -1, 255, -2, 65535, -3, 2^40, -4, 4294967295, 7))"#,
            r#""fffffffefffffffffffffffffffd0000010000000000fffffffcffffffff0000000000000007""#,
        ),
        (
            r#"return hex(struct.pack('<i3 >i3 i1 I5', -2, -2, 300, 1))"#,
            r#""fefffffffffe2c0000000001""#,
        ),
        (
            r#"return hex(struct.pack('>i16 <i12 i9', -1, -1, 2^62))"#,
            r#""0000000000000000ffffffffffffffffffffffffffffffff00000000000000000000004000""#,
        ),
        (
            r#"return hex(struct.pack('fd>fd', 1.5, -0.1, 1.5, -0.1))"#,
            r#""0000c03f9a9999999999b9bf3fc00000bfb999999999999a""#,
        ),
        (
            r#"return hex(struct.pack('B', 256)), hex(struct.pack('b', 1.9)), hex(struct.pack('b', -1.9)), hex(struct.pack('H', -1))"#,
            r#""00" "01" "ff" "ffff""#,
        ),
        (
            r#"return hex(struct.pack('L', 2^64)), hex(struct.pack('L', 2^63)), hex(struct.pack('l', -2^64)), hex(struct.pack('L', 0/0))"#,
            r#""0000000000000000" "0000000000000080" "0000000000000080" "0000000000000080""#,
        ),
        (
            r#"return hex(struct.pack('L', 1/0)), hex(struct.pack('l', -1/0)), hex(struct.pack('i', '12'))"#,
            r#""0000000000000000" "0000000000000080" "0c000000""#,
        ),
        (
            r#"return hex(struct.pack('sc3c0x', 'ab', 'xyz', 'rest'))"#,
            r#""61620078797a7265737400""#,
        ),
        (r#"return hex(struct.pack('s', 'a\0b'))"#, r#""61006200""#),
        (r#"return hex(struct.pack('c2', 'abc'))"#, r#""6162""#),
        (
            r#"return hex(struct.pack('!4 b i b d', 1, 2, 3, 4))"#,
            r#""0100000002000000030000000000000000001040""#,
        ),
        (
            r#"return hex(struct.pack('! b d', 1, 2))"#,
            r#""01000000000000000000000000000040""#,
        ),
        (
            r#"return hex(struct.pack('!2 b i', 1, 2)), hex(struct.pack('!8 b i3 h', 1, 2, 3))"#,
            r#""010002000000" "0100000200000300""#,
        ),
        (r#"return hex(struct.pack('i0 b', 5, 6))"#, r#""06""#),
        (r#"return hex(struct.pack('b\0b', 1, 2))"#, r#""01""#),
        (r#"return hex(struct.pack(''))"#, r#""""#),
    ]);
}

#[test]
fn pack_errors() {
    check_cases(&[
        (
            r#"return struct.pack('c5', 'ab')"#,
            r#"error: user_script:1: bad argument #3 to 'pack' (string too short)"#,
        ),
        (
            r#"return struct.pack('i', 'x')"#,
            r#"error: user_script:1: bad argument #2 to 'pack' (number expected, got string)"#,
        ),
        (
            r#"return struct.pack('b')"#,
            r#"error: user_script:1: bad argument #2 to 'pack' (number expected, got nil)"#,
        ),
        (
            r#"return struct.pack('z', 1)"#,
            r#"error: user_script:1: bad argument #1 to 'pack' (invalid format option 'z')"#,
        ),
        (
            r#"return struct.pack('i33', 1)"#,
            r#"error: user_script:1: integral size 33 is larger than limit of 32"#,
        ),
        (
            r#"return struct.pack('i99999999999', 1)"#,
            r#"error: user_script:1: integral size overflow"#,
        ),
        (
            r#"return struct.pack('!3 b', 1)"#,
            r#"error: user_script:1: alignment 3 is not a power of 2"#,
        ),
        (
            r#"return struct.pack('!0 b', 1)"#,
            r#"error: user_script:1: alignment 0 is not a power of 2"#,
        ),
        (
            r#"return struct.pack()"#,
            r#"error: user_script:1: bad argument #1 to 'pack' (string expected, got no value)"#,
        ),
        (
            r#"return struct.pack({})"#,
            r#"error: user_script:1: bad argument #1 to 'pack' (string expected, got table)"#,
        ),
        (
            r#"return struct.pack('s', {})"#,
            r#"error: user_script:1: bad argument #2 to 'pack' (string expected, got table)"#,
        ),
        (
            r#"return struct.pack('f')"#,
            r#"error: user_script:1: bad argument #2 to 'pack' (number expected, got nil)"#,
        ),
        (
            r#"return struct.pack('5', 1)"#,
            r#"error: user_script:1: bad argument #1 to 'pack' (invalid format option '5')"#,
        ),
    ]);
}

#[test]
fn unpack() {
    check_cases(&[
        (
            r#"return struct.unpack('bBhHlLiIT', struct.pack('bBhHlLiIT', -1, 255, -2, 65535, -3, 2^40, -4, 4294967295, 7))"#,
            r#"-1 255 -2 65535 -3 1099511627776 -4 4294967295 7 39"#,
        ),
        (
            r#"return struct.unpack('>bBhHlLiIT', struct.pack('>bBhHlLiIT', -1, 255, -2, 65535, -3, 2^40, -4, 4294967295, 7))"#,
            r#"-1 255 -2 65535 -3 1099511627776 -4 4294967295 7 39"#,
        ),
        (
            r#"return struct.unpack('<i3 >i3 I3', '\254\255\255\255\255\254\255\255\255')"#,
            r#"-2 -2 16777215 10"#,
        ),
        (
            r#"return struct.unpack('>i16', string.rep('\255', 16)), struct.unpack('>I12', string.rep('\1', 12)), struct.unpack('i0', '')"#,
            r#"-1 72340172838076672 0 1"#,
        ),
        (
            r#"return struct.unpack('<i9', '\0\0\0\0\0\0\0\128\0'), struct.unpack('<i9', '\0\0\0\0\0\0\0\0\1')"#,
            r#"-128 0 10"#,
        ),
        (
            r#"return struct.unpack('fd>fd', struct.pack('fd>fd', 1.5, -0.1, 1.5, -0.1))"#,
            r#"1.5 -0.10000000000000001 1.5 -0.10000000000000001 25"#,
        ),
        (
            r#"return struct.unpack('L', '\255\255\255\255\255\255\255\255'), struct.unpack('l', '\0\0\0\0\0\0\0\128')"#,
            r#"1.8446744073709552e+19 -9.2233720368547758e+18 9"#,
        ),
        (
            r#"return struct.unpack('sc3xc0', 'ab\0xyz_rest')"#,
            r#"error: user_script:1: format 'c0' needs a previous size"#,
        ),
        (r#"return struct.unpack('bc0', '\3abcd')"#, r#""abc" 5"#),
        (r#"return struct.unpack('c1c0', '5hello!')"#, r#""hello" 7"#),
        (r#"return struct.unpack('b', 'ab', 2)"#, r#"98 3"#),
        (
            r#"return struct.unpack('!4 b i', '\1\0\0\0\2\0\0\0')"#,
            r#"1 2 9"#,
        ),
        (r#"return struct.unpack('>', 'abc', 4)"#, r#"4"#),
        (r#"return struct.unpack('', '')"#, r#"1"#),
        (r#"return struct.unpack('c2', 'a\0b', 2)"#, r#""\000b" 4"#),
    ]);
}

#[test]
fn unpack_errors() {
    check_cases(&[
        (
            r#"return struct.unpack('i', 'abc')"#,
            r#"error: user_script:1: bad argument #2 to 'unpack' (data string too short)"#,
        ),
        (
            r#"return struct.unpack('b', 'a', 0)"#,
            r#"error: user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater)"#,
        ),
        (
            r#"return struct.unpack('b', 'a', -1)"#,
            r#"error: user_script:1: bad argument #2 to 'unpack' (data string too short)"#,
        ),
        (
            r#"return struct.unpack('b', 'a', 3)"#,
            r#"error: user_script:1: bad argument #2 to 'unpack' (data string too short)"#,
        ),
        (
            r#"return struct.unpack('>', 'abc', 5)"#,
            r#"error: user_script:1: bad argument #2 to 'unpack' (data string too short)"#,
        ),
        (
            r#"return struct.unpack('c0', 'abc')"#,
            r#"error: user_script:1: format 'c0' needs a previous size"#,
        ),
        (
            r#"return struct.unpack('sc0', 'ab\0xyz')"#,
            r#"error: user_script:1: format 'c0' needs a previous size"#,
        ),
        (
            r#"return struct.unpack('bc0', '\9abc')"#,
            r#"error: user_script:1: bad argument #2 to 'unpack' (data string too short)"#,
        ),
        (
            r#"return struct.unpack('s', 'abc')"#,
            r#"error: user_script:1: unfinished string in data"#,
        ),
        (
            r#"return struct.unpack('y', 'abc')"#,
            r#"error: user_script:1: bad argument #1 to 'unpack' (invalid format option 'y')"#,
        ),
        (
            r#"return struct.unpack('b')"#,
            r#"error: user_script:1: bad argument #2 to 'unpack' (string expected, got no value)"#,
        ),
        (
            r#"return struct.unpack('b', 'a', 'x')"#,
            r#"error: user_script:1: bad argument #3 to 'unpack' (number expected, got string)"#,
        ),
        (
            r#"return select('#', struct.unpack(string.rep('b', 9000), string.rep('a', 9000)))"#,
            r#"error: user_script:1: stack overflow (too many results)"#,
        ),
        (
            r#"return pcall(struct.unpack, 'i', 'a')"#,
            r#"false "bad argument #2 to '?' (data string too short)""#,
        ),
    ]);
}

#[test]
fn size() {
    check_cases(&[
        (
            r#"return struct.size('bBhHlLiITfdx'), struct.size('i3i7c10'), struct.size('')"#,
            r#"51 20 0"#,
        ),
        (
            r#"return struct.size('!4 b i b d'), struct.size('!b d'), struct.size('!2 b i'), struct.size('yzZ9')"#,
            r#"20 16 6 0"#,
        ),
        (
            r#"return struct.size('s')"#,
            r#"error: user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)"#,
        ),
        (
            r#"return struct.size('c0')"#,
            r#"error: user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size)"#,
        ),
        (
            r#"return struct.size('b#')"#,
            r#"error: user_script:1: bad argument #1 to 'size' (invalid format option '#')"#,
        ),
        (
            r#"return struct.size('!6')"#,
            r#"error: user_script:1: alignment 6 is not a power of 2"#,
        ),
        (r#"return struct.size(12)"#, r#"0"#),
        (
            r#"return struct.size()"#,
            r#"error: user_script:1: bad argument #1 to 'size' (string expected, got no value)"#,
        ),
    ]);
}
