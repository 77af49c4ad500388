//! bit cases. Each case runs in a fresh state; the expected outputs were
//! obtained by sending the same wrapped scripts to redis-server 7.0.15
//! (see `test_support`).

use crate::lua_libs::test_support::check_cases;

#[test]
fn normalisation() {
    check_cases(&[
        (
            r#"return bit.tobit(1), bit.tobit(-1), bit.tobit(2^31), bit.tobit(2^32), bit.tobit(2^32 + 5), bit.tobit(-2^31 - 1)"#,
            r#"1 -1 -2147483648 0 5 2147483647"#,
        ),
        (
            r#"return bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(0.49), bit.tobit(2^52 + 3), bit.tobit(1e300)"#,
            r#"2 2 -2 0 2 -2013235812"#,
        ),
        (
            r#"return bit.tobit(1/0), bit.tobit(-1/0), bit.tobit(0/0), bit.tobit('0x10'), bit.tobit(' 12 ')"#,
            r#"0 0 0 16 12"#,
        ),
        (
            r#"return bit.tobit('x')"#,
            r#"error: user_script:1: bad argument #1 to 'tobit' (number expected, got string)"#,
        ),
        (
            r#"return bit.tobit()"#,
            r#"error: user_script:1: bad argument #1 to 'tobit' (number expected, got no value)"#,
        ),
        (
            r#"return bit.tobit({})"#,
            r#"error: user_script:1: bad argument #1 to 'tobit' (number expected, got table)"#,
        ),
    ]);
}

#[test]
fn operations() {
    check_cases(&[
        (
            r#"return bit.bnot(0), bit.bnot(-1), bit.bnot(0x7fffffff)"#,
            r#"-1 0 -2147483648"#,
        ),
        (
            r#"return bit.band(0xff, 0x0f, 0x3), bit.bor(1, 2, 4, 8), bit.bxor(0xff, 0x0f), bit.band(-1), bit.bor(5)"#,
            r#"3 15 240 -1 5"#,
        ),
        (
            r#"return bit.band(1, 'x', {})"#,
            r#"error: user_script:1: bad argument #3 to 'band' (number expected, got table)"#,
        ),
        (
            r#"return bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), bit.lshift(3, -1)"#,
            r#"-2147483648 1 2 -2147483648"#,
        ),
        (
            r#"return bit.rshift(-1, 1), bit.rshift(-1, 28), bit.rshift(256, 36)"#,
            r#"2147483647 15 16"#,
        ),
        (
            r#"return bit.arshift(-256, 4), bit.arshift(256, 4), bit.arshift(-1, 31)"#,
            r#"-16 16 -1"#,
        ),
        (
            r#"return bit.rol(0x12345678, 8), bit.rol(0x12345678, 0), bit.ror(0x12345678, 8), bit.ror(1, 1), bit.rol(-1, 5)"#,
            r#"878082066 305419896 2014458966 -2147483648 -1"#,
        ),
        (
            r#"return bit.bswap(0x12345678), bit.bswap(-1), bit.bswap(1)"#,
            r#"2018915346 -1 16777216"#,
        ),
        (
            r#"return bit.lshift(1)"#,
            r#"error: user_script:1: bad argument #2 to 'lshift' (number expected, got no value)"#,
        ),
    ]);
}

#[test]
fn tohex() {
    check_cases(&[
        (
            r#"return bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -2), bit.tohex(0x1234abcd, -8)"#,
            r#""000000ff" "ffffffff" "ff" "FF" "1234ABCD""#,
        ),
        (
            r#"return bit.tohex(0xabcdef, 12), bit.tohex(0xabcdef, -12), bit.tohex(1, 0), bit.tohex(2^32 + 10)"#,
            r#""00abcdef" "00ABCDEF" "" "0000000a""#,
        ),
        (
            r#"return bit.tohex(0xabc, -2^31), bit.tohex(0xabc, 2^31)"#,
            r#""00000ABC" "00000ABC""#,
        ),
        (
            r#"return bit.tohex(1, nil)"#,
            r#"error: user_script:1: bad argument #2 to 'tohex' (number expected, got nil)"#,
        ),
        (
            r#"return bit.tohex('z')"#,
            r#"error: user_script:1: bad argument #1 to 'tohex' (number expected, got string)"#,
        ),
    ]);
}
