//! cmsgpack cases. Each case runs in a fresh state; the expected outputs
//! were obtained by sending the same wrapped scripts to redis-server 7.0.15
//! (see `test_support`).

use crate::lua_libs::test_support::check_cases;

#[test]
fn pack_scalars() {
    check_cases(&[
        (
            r#"return hex(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53))"#,
            r#""00017fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000cf0020000000000000""#,
        ),
        (
            r#"return hex(cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^63))"#,
            r#""ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffffd38000000000000000""#,
        ),
        (
            r#"return hex(cmsgpack.pack(0.5, -0.25, 1.1, 1/3, 1e300, 1/0, -1/0, 2^63, 2^64, -0))"#,
            r#""ca3f000000cabe800000cb3ff199999999999acb3fd5555555555555cb7e37e43c8800759cca7f800000caff800000ca5f000000ca5f80000000""#,
        ),
        (
            r#"return hex(cmsgpack.pack(0/0))"#,
            r#""cbfff8000000000000""#,
        ),
        (
            r#"return hex(cmsgpack.pack(true, false, nil, cjson.null, string.len))"#,
            r#""c3c2c0c0c0""#,
        ),
        (
            r#"return hex(cmsgpack.pack('', 'a', string.rep('x', 31)))"#,
            r#""a0a161bf78787878787878787878787878787878787878787878787878787878787878""#,
        ),
        (
            r#"return hex(cmsgpack.pack(string.rep('y', 32))):sub(1, 8), hex(cmsgpack.pack(string.rep('y', 255))):sub(1, 8)"#,
            r#""d9207979" "d9ff7979""#,
        ),
        (
            r#"return hex(cmsgpack.pack(string.rep('z', 256))):sub(1, 10), hex(cmsgpack.pack(string.rep('z', 65536))):sub(1, 12)"#,
            r#""da01007a7a" "db000100007a""#,
        ),
        (
            r#"return hex(cmsgpack.pack('a\0b\255'))"#,
            r#""a4610062ff""#,
        ),
    ]);
}

#[test]
fn pack_tables() {
    check_cases(&[
        (r#"return hex(cmsgpack.pack({}))"#, r#""90""#),
        (r#"return hex(cmsgpack.pack({1, 2, 3}))"#, r#""93010203""#),
        (
            r#"return hex(cmsgpack.pack({1, nil, 3}))"#,
            r#""8201010303""#,
        ),
        (r#"return hex(cmsgpack.pack({[2]=1}))"#, r#""810201""#),
        (r#"return hex(cmsgpack.pack({a=1}))"#, r#""81a16101""#),
        (
            r#"return hex(cmsgpack.pack({[1.5]=true}))"#,
            r#""81ca3fc00000c3""#,
        ),
        (
            r#"local t = {} for i = 1, 16 do t[i] = i end return hex(cmsgpack.pack(t)):sub(1, 8)"#,
            r#""dc001001""#,
        ),
        (
            r#"local t = {} for i = 1, 70000 do t[i] = 0 end return hex(cmsgpack.pack(t)):sub(1, 12)"#,
            r#""dd0001117000""#,
        ),
        (
            r#"local t = {} for i = 1, 16 do t['k' .. i] = 1 end return hex(cmsgpack.pack(t)):sub(1, 6)"#,
            r#""de0010""#,
        ),
        (
            r#"local t = {} for i = 1, 70000 do t['k' .. i] = 1 end return hex(cmsgpack.pack(t)):sub(1, 10)"#,
            r#""df00011170""#,
        ),
        (
            r#"local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return hex(cmsgpack.pack(t))"#,
            r#""91919191919191919191919191919191c0""#,
        ),
        (
            r#"local t = {} local c = t for i = 1, 20 do c.k = {} c = c.k end return hex(cmsgpack.pack(t))"#,
            r#""81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16bc0""#,
        ),
        (
            r#"return coroutine.wrap(function() return hex(cmsgpack.pack({1, 2})) end)()"#,
            r#""920102""#,
        ),
        (
            r#"local t = {} t[1] = t return hex(cmsgpack.pack(t))"#,
            r#""91919191919191919191919191919191c0""#,
        ),
        (
            r#"local t = {} t.a = t return hex(cmsgpack.pack(t))"#,
            r#""81a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a161c0""#,
        ),
    ]);
}

#[test]
fn pack_errors() {
    check_cases(&[
        (
            r#"return cmsgpack.pack()"#,
            r#"error: user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)"#,
        ),
        (
            r#"local t = {} for i = 1, 5000 do t[i] = i end return cmsgpack.pack(unpack(t))"#,
            r#"error: user_script:1: bad argument #0 to 'pack' (Too many arguments for MessagePack pack.)"#,
        ),
        (
            r#"local t = {} for i = 1, 3000 do t[i] = i end return #cmsgpack.pack(unpack(t))"#,
            r#"8618"#,
        ),
    ]);
}

#[test]
fn unpack() {
    check_cases(&[
        (
            r#"return cmsgpack.unpack(cmsgpack.pack({1, 2, {a = 'b', c = {true, false}}}, 'x', -5, 0.5))"#,
            r#"{[1]=1,[2]=2,[3]={["a"]="b",["c"]={[1]=true,[2]=false}}} "x" -5 0.5"#,
        ),
        (
            r#"return cmsgpack.unpack(cmsgpack.pack(1e300, -2^63, 2^63, 1.1, 4294967296, -4294967296))"#,
            r#"1.0000000000000001e+300 -9.2233720368547758e+18 9.2233720368547758e+18 1.1000000000000001 4294967296 -4294967296"#,
        ),
        (
            r#"return cmsgpack.unpack('\207\255\255\255\255\255\255\255\255')"#,
            r#"-1"#,
        ),
        (
            r#"return cmsgpack.unpack('\211\128\0\0\0\0\0\0\0')"#,
            r#"-9.2233720368547758e+18"#,
        ),
        (
            r#"return cmsgpack.unpack('\204\200\205\1\0\206\255\255\255\255\208\128\209\128\0\210\128\0\0\0')"#,
            r#"200 256 4294967295 -128 -32768 -2147483648"#,
        ),
        (r#"return cmsgpack.unpack('\202\63\192\0\0')"#, r#"1.5"#),
        (
            r#"return cmsgpack.unpack('\192\195\194')"#,
            r#"nil true false"#,
        ),
        (r#"return cmsgpack.unpack('\145\192')"#, r#"{}"#),
        (
            r#"return cmsgpack.unpack('\220\0\2\1\2\222\0\1\161a\1')"#,
            r#"{[1]=1,[2]=2} {["a"]=1}"#,
        ),
        (
            r#"return cmsgpack.unpack('\221\0\0\0\1\7\223\0\0\0\1\1\2')"#,
            r#"{[1]=7} {[1]=2}"#,
        ),
        (
            r#"return cmsgpack.unpack('\217\3abc\218\0\2de\219\0\0\0\1f')"#,
            r#""abc" "de" "f""#,
        ),
        (
            r#"return cmsgpack.unpack(cmsgpack.pack('a\0b'))"#,
            r#""a\000b""#,
        ),
        (r#"return cmsgpack.unpack('')"#, r#""#),
        (r#"return cmsgpack.unpack(5)"#, r#"53"#),
        (r#"return cmsgpack.unpack('\1\2', 'ignored')"#, r#"1 2"#),
        (
            r#"return select('#', cmsgpack.unpack(string.rep('\1', 7000)))"#,
            r#"7000"#,
        ),
    ]);
}

#[test]
fn unpack_errors() {
    check_cases(&[
        (
            r#"return cmsgpack.unpack('\196\1a')"#,
            r#"error: user_script:1: Bad data format in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\193')"#,
            r#"error: user_script:1: Bad data format in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\212\1\1')"#,
            r#"error: user_script:1: Bad data format in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\205\1')"#,
            r#"error: user_script:1: Missing bytes in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\146\1')"#,
            r#"error: user_script:1: Missing bytes in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\163ab')"#,
            r#"error: user_script:1: Missing bytes in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\219\0\0\0\9abc')"#,
            r#"error: user_script:1: Missing bytes in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\221\255\255\255\255')"#,
            r#"error: user_script:1: Missing bytes in input."#,
        ),
        (
            r#"return cmsgpack.unpack('\129\192\1')"#,
            r#"error: table index is nil"#,
        ),
        (
            r#"return cmsgpack.unpack('\129\203\255\248\0\0\0\0\0\0\1')"#,
            r#"error: table index is NaN"#,
        ),
        (
            r#"return cmsgpack.unpack()"#,
            r#"error: user_script:1: bad argument #1 to 'unpack' (string expected, got no value)"#,
        ),
        (
            r#"return cmsgpack.unpack({})"#,
            r#"error: user_script:1: bad argument #1 to 'unpack' (string expected, got table)"#,
        ),
        (
            r#"return select('#', cmsgpack.unpack(string.rep('\1', 9000)))"#,
            r#"error: user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)"#,
        ),
        (
            r#"return pcall(cmsgpack.unpack, '\193')"#,
            r#"false "Bad data format in input.""#,
        ),
    ]);
}

#[test]
fn unpack_one_and_limit() {
    check_cases(&[
        (
            r#"local s = cmsgpack.pack(1, 'two', {3}) return cmsgpack.unpack_one(s)"#,
            r#"1 1"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 'two', {3}) return cmsgpack.unpack_one(s, 1)"#,
            r#"5 "two""#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 'two', {3}) return cmsgpack.unpack_one(s, 5)"#,
            r#"-1 {[1]=3}"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 'two', {3}) return cmsgpack.unpack_one(s, 7)"#,
            r#"-1"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 'two', {3}) return cmsgpack.unpack_one(s, 8)"#,
            r#"error: user_script:1: Start offset 8 greater than input length 7."#,
        ),
        (
            r#"return cmsgpack.unpack_one('\1', -1)"#,
            r#"error: user_script:1: Invalid request to unpack with offset of -1 and limit of 1."#,
        ),
        (
            r#"return cmsgpack.unpack_one('\1', 'x')"#,
            r#"error: user_script:1: bad argument #2 to 'unpack_one' (number expected, got string)"#,
        ),
        (r#"return cmsgpack.unpack_one('\1', '0')"#, r#"-1 1"#),
        (
            r#"return cmsgpack.unpack_one()"#,
            r#"error: user_script:1: bad argument #1 to 'unpack_one' (string expected, got no value)"#,
        ),
        (
            r#"return cmsgpack.unpack_one(nil, 'x')"#,
            r#"error: user_script:1: bad argument #2 to 'unpack_one' (number expected, got string)"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 2, 3, 4) return cmsgpack.unpack_limit(s, 2)"#,
            r#"2 1 2"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 2, 3, 4) return cmsgpack.unpack_limit(s, 2, 2)"#,
            r#"-1 3 4"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 2, 3, 4) return cmsgpack.unpack_limit(s, 10, 1)"#,
            r#"-1 2 3 4"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 2, 3, 4) return cmsgpack.unpack_limit(s, 0)"#,
            r#"1 2 3 4"#,
        ),
        (
            r#"local s = cmsgpack.pack(1, 2, 3, 4) return cmsgpack.unpack_limit(s, 0, 1)"#,
            r#"1"#,
        ),
        (
            r#"return cmsgpack.unpack_limit('\1\2', -1)"#,
            r#"error: user_script:1: Invalid request to unpack with offset of 0 and limit of 2."#,
        ),
        (
            r#"return cmsgpack.unpack_limit('\1\2')"#,
            r#"error: user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value)"#,
        ),
        (r#"return cmsgpack.unpack_limit('\1\2', 1.9)"#, r#"1 1"#),
        (
            r#"return cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION"#,
            r#""cmsgpack" "lua-cmsgpack 0.4.0" "Copyright (C) 2012, Salvatore Sanfilippo" "MessagePack C implementation for Lua""#,
        ),
    ]);
}
