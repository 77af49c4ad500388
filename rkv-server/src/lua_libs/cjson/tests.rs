//! cjson cases. Each case runs in a fresh state; the expected outputs were
//! obtained by sending the same wrapped scripts to redis-server 7.0.15
//! (see `test_support`).

use crate::lua_libs::test_support::check_cases;

#[test]
fn encode_values() {
    check_cases(&[
        (
            r#"return cjson.encode({1,2,{a=1}})"#,
            r#""[1,2,{\"a\":1}]""#,
        ),
        (r#"return cjson.encode({})"#, r#""{}""#),
        (r#"return cjson.encode({{}, {{}}})"#, r#""[{},[{}]]""#),
        (
            r#"return cjson.encode('a"b\\c/d\n\r\t\b\f\0\1\31\127\128\255 é')"#,
            r#""\"a\\\"b\\\\c\\/d\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\\u007f\128\255 \195\169\"""#,
        ),
        (
            r#"return cjson.encode(true), cjson.encode(false), cjson.encode(nil), cjson.encode(cjson.null)"#,
            r#""true" "false" "null" "null""#,
        ),
        (r#"return cjson.encode({1, nil, 3})"#, r#""[1,null,3]""#),
        (
            r#"return cjson.encode({[1]=1, [2]=2, [4]=4})"#,
            r#""[1,2,null,4]""#,
        ),
        (
            r#"return cjson.encode({x={y={z={}}}})"#,
            r#""{\"x\":{\"y\":{\"z\":{}}}}""#,
        ),
        (r#"return cjson.encode({[1.5]=1})"#, r#""{\"1.5\":1}""#),
        (
            r#"return cjson.encode({[-1]='neg'})"#,
            r#""{\"-1\":\"neg\"}""#,
        ),
        (
            r#"return cjson.encode({[0]='zero'})"#,
            r#""{\"0\":\"zero\"}""#,
        ),
        (
            r#"return cjson.encode({1, 2, x=3})"#,
            r#""{\"1\":1,\"2\":2,\"x\":3}""#,
        ),
        (
            r#"return cjson.encode({[1e10]=1})"#,
            r#""{\"10000000000\":1}""#,
        ),
        (
            r#"return cjson.encode({[3]=1, [10]=1})"#,
            r#""[null,null,1,null,null,null,null,null,null,1]""#,
        ),
        (
            r#"return cjson.encode({[11]=1})"#,
            r#"error: user_script:1: Cannot serialise table: excessively sparse array"#,
        ),
        (
            r#"return cjson.encode({[11]=1, [1]=1, [2]=1, [3]=1, [4]=1, [5]=1})"#,
            r#""[1,1,1,1,1,null,null,null,null,null,1]""#,
        ),
        (
            r#"return cjson.encode({[12]=1, [1]=1, [2]=1, [3]=1, [4]=1})"#,
            r#"error: user_script:1: Cannot serialise table: excessively sparse array"#,
        ),
    ]);
}

#[test]
fn encode_numbers() {
    check_cases(&[
        (
            r#"return cjson.encode({0, -0, 1, -1, 0.5, -0.25, 1/3, 100, 1e14, 1e15, 123456789012345, 2^53, 2^63, -2^63})"#,
            r#""[0,0,1,-1,0.5,-0.25,0.33333333333333,100,1e+14,1e+15,1.2345678901234e+14,9.007199254741e+15,9.2233720368548e+18,-9.2233720368548e+18]""#,
        ),
        (
            r#"return cjson.encode({1e-5, 1e-4, 0.1, 1e300, -1e-300, 5e-324, 1e-20, 3.14159265358979})"#,
            r#""[1e-05,0.0001,0.1,1e+300,-1e-300,4.9406564584125e-324,1e-20,3.1415926535898]""#,
        ),
        (
            r#"return cjson.encode(1/0)"#,
            r#"error: user_script:1: Cannot serialise number: must not be NaN or Inf"#,
        ),
        (
            r#"return cjson.encode(-1/0)"#,
            r#"error: user_script:1: Cannot serialise number: must not be NaN or Inf"#,
        ),
        (
            r#"return cjson.encode(0/0)"#,
            r#"error: user_script:1: Cannot serialise number: must not be NaN or Inf"#,
        ),
        (
            r#"return cjson.encode({[1/0]=1})"#,
            r#"error: user_script:1: Cannot serialise number: must not be NaN or Inf"#,
        ),
        (
            r#"cjson.encode_invalid_numbers(true) return cjson.encode({1/0, -1/0, 0/0})"#,
            r#""[inf,-inf,nan]""#,
        ),
        (
            r#"cjson.encode_invalid_numbers('null') return cjson.encode({1/0, -1/0, 0/0})"#,
            r#""[null,null,null]""#,
        ),
        (
            r#"cjson.encode_number_precision(3) return cjson.encode({3.14159, 1234567, 0.000123456})"#,
            r#""[3.14,1.23e+06,0.000123]""#,
        ),
        (
            r#"cjson.encode_number_precision(1) return cjson.encode({15, 0.15})"#,
            r#""[2e+01,0.1]""#,
        ),
    ]);
}

#[test]
fn encode_errors() {
    check_cases(&[
        (
            r#"return cjson.encode({[true]=1})"#,
            r#"error: user_script:1: Cannot serialise boolean: table key must be a number or string"#,
        ),
        (
            r#"return cjson.encode({a={[{}]=1}})"#,
            r#"error: user_script:1: Cannot serialise table: table key must be a number or string"#,
        ),
        (
            r#"return cjson.encode(string.len)"#,
            r#"error: user_script:1: Cannot serialise function: type not supported"#,
        ),
        (
            r#"return cjson.encode({f=function() end})"#,
            r#"error: user_script:1: Cannot serialise function: type not supported"#,
        ),
        (
            r#"return cjson.encode(coroutine.create(function() end))"#,
            r#"error: user_script:1: Cannot serialise thread: type not supported"#,
        ),
        (
            r#"return cjson.encode({[1]=1, [100]=2})"#,
            r#"error: user_script:1: Cannot serialise table: excessively sparse array"#,
        ),
        (
            r#"return cjson.encode()"#,
            r#"error: user_script:1: bad argument #1 to 'encode' (expected 1 argument)"#,
        ),
        (
            r#"return cjson:encode(1)"#,
            r#"error: user_script:1: calling 'encode' on bad self (expected 1 argument)"#,
        ),
        (
            r#"local f = cjson.decode return f()"#,
            r#"error: user_script:1: bad argument #1 to 'f' (expected 1 argument)"#,
        ),
        (
            r#"return cjson.encode(1, 2)"#,
            r#"error: user_script:1: bad argument #1 to 'encode' (expected 1 argument)"#,
        ),
        (
            r#"local t = {} t[1] = t return cjson.encode(t)"#,
            r#"error: user_script:1: Cannot serialise, excessive nesting (1001)"#,
        ),
        (
            r#"local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end return #cjson.encode(t)"#,
            r#"2000"#,
        ),
        (
            r#"local t = {} local c = t for i = 1, 1000 do c[1] = {} c = c[1] end return cjson.encode(t)"#,
            r#"error: user_script:1: Cannot serialise, excessive nesting (1001)"#,
        ),
        (
            r#"cjson.encode_max_depth(3) return cjson.encode({{{}}})"#,
            r#""[[{}]]""#,
        ),
        (
            r#"cjson.encode_max_depth(3) return cjson.encode({{{{}}}})"#,
            r#"error: user_script:1: Cannot serialise, excessive nesting (4)"#,
        ),
        (
            r#"return pcall(cjson.encode, {[true]=1})"#,
            r#"false "Cannot serialise boolean: table key must be a number or string""#,
        ),
        (
            r#"local ok, err = pcall(function() return cjson.encode(0/0) end) return type(err), err"#,
            r#""string" "user_script:1: Cannot serialise number: must not be NaN or Inf""#,
        ),
    ]);
}

#[test]
fn sparse_arrays() {
    check_cases(&[
        (r#"return cjson.encode_sparse_array()"#, r#"false 2 10"#),
        (
            r#"cjson.encode_sparse_array(true) return cjson.encode({[1]=1, [100]=2})"#,
            r#""{\"1\":1,\"100\":2}""#,
        ),
        (
            r#"cjson.encode_sparse_array(false, 0) return cjson.encode({[1]=1, [20]=2})"#,
            r#""[1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,2]""#,
        ),
        (
            r#"cjson.encode_sparse_array(false, 2, 100) return cjson.encode({[1]=1, [20]=2})"#,
            r#""[1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,2]""#,
        ),
        (
            r#"return cjson.encode_sparse_array('on', 3, 4)"#,
            r#"true 3 4"#,
        ),
        (
            r#"return cjson.encode_sparse_array(nil, -1)"#,
            r#"error: user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)"#,
        ),
        (
            r#"return cjson.encode_sparse_array(nil, nil, -1)"#,
            r#"error: user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)"#,
        ),
        (
            r#"return cjson.encode_sparse_array('yes')"#,
            r#"error: user_script:1: bad argument #1 to 'encode_sparse_array' (invalid option 'yes')"#,
        ),
        (
            r#"return cjson.encode_sparse_array(1, 2, 3, 4)"#,
            r#"error: user_script:1: bad argument #4 to 'encode_sparse_array' (found too many arguments)"#,
        ),
        (
            r#"return cjson.encode_sparse_array(nil, 'x')"#,
            r#"error: user_script:1: bad argument #2 to 'encode_sparse_array' (number expected, got string)"#,
        ),
        (
            r#"return cjson.encode_sparse_array(nil, '7')"#,
            r#"false 7 10"#,
        ),
    ]);
}

#[test]
fn settings() {
    check_cases(&[
        (
            r#"return cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()"#,
            r#"1000 1000 14"#,
        ),
        (
            r#"return cjson.encode_keep_buffer(), cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()"#,
            r#"true false true"#,
        ),
        (
            r#"return cjson.encode_max_depth(0)"#,
            r#"error: user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)"#,
        ),
        (
            r#"return cjson.encode_number_precision(15)"#,
            r#"error: user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"#,
        ),
        (r#"return cjson.encode_number_precision(2.9)"#, r#"2"#),
        (
            r#"return cjson.encode_invalid_numbers('null'), cjson.encode_invalid_numbers('on'), cjson.encode_invalid_numbers(false)"#,
            r#""null" true false"#,
        ),
        (
            r#"return cjson.encode_invalid_numbers('maybe')"#,
            r#"error: user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'maybe')"#,
        ),
        (
            r#"return cjson.encode_keep_buffer(false), cjson.encode_keep_buffer('on')"#,
            r#"false true"#,
        ),
        (
            r#"return cjson.decode_invalid_numbers(1)"#,
            r#"error: user_script:1: bad argument #1 to 'decode_invalid_numbers' (invalid option '1')"#,
        ),
        (
            r#"return cjson._NAME, cjson._VERSION, type(cjson.null), cjson.null == nil"#,
            r#""cjson" "2.1.0" "userdata" false"#,
        ),
        (
            r#"local c = cjson.new() c.encode_number_precision(2) return c.encode(1/3), cjson.encode(1/3)"#,
            r#""0.33" "0.33333333333333""#,
        ),
    ]);
}

#[test]
fn decode_values() {
    check_cases(&[
        (
            r#"return cjson.decode('[1,2,{"a":1}]')"#,
            r#"{[1]=1,[2]=2,[3]={["a"]=1}}"#,
        ),
        (
            r#"return cjson.decode(' {"a" : [true, false, null], "b" : {} , "c":[] } ')"#,
            r#"{["a"]={[1]=true,[2]=false,[3]=null},["b"]={},["c"]={}}"#,
        ),
        (
            r#"return cjson.decode('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"')"#,
            r#""a\"b\\c/d\8\12\\10\r\9""#,
        ),
        (
            r#"return cjson.decode('"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\u0000x"')"#,
            r#""A\195\169\226\130\172\240\159\152\128\000x""#,
        ),
        (
            r#"return cjson.decode('[0, -0, 1.5, -1e3, 1E-2, 12345678901234567890, 1e400, -1e400, 0.1]')"#,
            r#"{[1]=0,[2]=-0,[3]=1.5,[4]=-1000,[5]=0.01,[6]=1.2345678901234567e+19,[7]=inf,[8]=-inf,[9]=0.10000000000000001}"#,
        ),
        (
            r#"return cjson.decode('[NaN, nan, Infinity, -Infinity, inf, -inf, +5, 0x10, 0X1p4, 007]')"#,
            r#"{[1]=nan,[2]=nan,[3]=inf,[4]=-inf,[5]=inf,[6]=-inf,[7]=5,[8]=16,[9]=16,[10]=7}"#,
        ),
        (
            r#"return cjson.decode('1.'), cjson.decode('-.5'), cjson.decode('1e5'), cjson.decode('1E+2'), cjson.decode('0.0000000000000000000001')"#,
            r#"1 -0.5 100000 100 1e-22"#,
        ),
        (
            r#"return cjson.decode('.5')"#,
            r#"error: user_script:1: Expected value but found invalid token at character 1"#,
        ),
        (
            r#"return cjson.decode('[1e]')"#,
            r#"error: user_script:1: Expected comma or array end but found invalid token at character 3"#,
        ),
        (
            r#"return cjson.decode('[1' .. string.rep('0', 400) .. ']')[1], cjson.decode('-1e99999999999')"#,
            r#"inf -inf"#,
        ),
        (
            r#"return cjson.decode('123'), cjson.decode('"x"'), cjson.decode('true'), cjson.decode('null')"#,
            r#"123 "x" true null"#,
        ),
        (r#"return cjson.decode(42)"#, r#"42"#),
        (r#"return cjson.decode('[1]\0garbage')"#, r#"{[1]=1}"#),
        (r#"return cjson.decode('{"1":2}')"#, r#"{["1"]=2}"#),
        (
            r#"return coroutine.wrap(function() return cjson.decode('[1,{"a":[]}]') end)()"#,
            r#"{[1]=1,[2]={["a"]={}}}"#,
        ),
        (
            r#"return coroutine.wrap(function() return pcall(cjson.decode, '[') end)()"#,
            r#"false "Expected value but found T_END at character 2""#,
        ),
        (r#"return cjson.decode('{"a":1,"a":2}')"#, r#"{["a"]=2}"#),
        (
            r#"return cjson.decode('"raw \1\127 control"')"#,
            r#""raw \1\127 control""#,
        ),
        (
            r#"local t = cjson.decode('[1,null,3]') return #t, t[2] == cjson.null"#,
            r#"3 true"#,
        ),
        (
            r#"local s = string.rep('[', 1000) .. string.rep(']', 1000) return #cjson.encode(cjson.decode(s))"#,
            r#"2000"#,
        ),
        (
            r#"return cjson.encode(cjson.decode('{"k":[1,2,{"n":null}],"s":"\\u00e9"}'))"#,
            r#""{\"k\":[1,2,{\"n\":null}],\"s\":\"\195\169\"}""#,
        ),
    ]);
}

#[test]
fn decode_errors() {
    check_cases(&[
        (
            r#"return cjson.decode('x')"#,
            r#"error: user_script:1: Expected value but found invalid token at character 1"#,
        ),
        (
            r#"return cjson.decode('')"#,
            r#"error: user_script:1: Expected value but found T_END at character 1"#,
        ),
        (
            r#"return cjson.decode('   ')"#,
            r#"error: user_script:1: Expected value but found T_END at character 4"#,
        ),
        (
            r#"return cjson.decode('[1,]')"#,
            r#"error: user_script:1: Expected value but found T_ARR_END at character 4"#,
        ),
        (
            r#"return cjson.decode('[1 2]')"#,
            r#"error: user_script:1: Expected comma or array end but found T_NUMBER at character 4"#,
        ),
        (
            r#"return cjson.decode('{"a" 1}')"#,
            r#"error: user_script:1: Expected colon but found T_NUMBER at character 6"#,
        ),
        (
            r#"return cjson.decode('{1:2}')"#,
            r#"error: user_script:1: Expected object key string but found T_NUMBER at character 2"#,
        ),
        (
            r#"return cjson.decode('{"a":1,}')"#,
            r#"error: user_script:1: Expected object key string but found T_OBJ_END at character 8"#,
        ),
        (
            r#"return cjson.decode('{"a":1 "b"}')"#,
            r#"error: user_script:1: Expected comma or object end but found T_STRING at character 8"#,
        ),
        (
            r#"return cjson.decode('[1] x')"#,
            r#"error: user_script:1: Expected the end but found invalid token at character 5"#,
        ),
        (
            r#"return cjson.decode('"abc')"#,
            r#"error: user_script:1: Expected value but found unexpected end of string at character 5"#,
        ),
        (
            r#"return cjson.decode('"a\\qb"')"#,
            r#"error: user_script:1: Expected value but found invalid escape code at character 3"#,
        ),
        (
            r#"return cjson.decode('"\\u12"')"#,
            r#"error: user_script:1: Expected value but found invalid unicode escape code at character 2"#,
        ),
        (
            r#"return cjson.decode('"\\ud800"')"#,
            r#"error: user_script:1: Expected value but found invalid unicode escape code at character 2"#,
        ),
        (
            r#"return cjson.decode('"\\udc00\\ud800"')"#,
            r#"error: user_script:1: Expected value but found invalid unicode escape code at character 2"#,
        ),
        (
            r#"return cjson.decode('"\\ud800\\u0041"')"#,
            r#"error: user_script:1: Expected value but found invalid unicode escape code at character 2"#,
        ),
        (
            r#"return cjson.decode('tru')"#,
            r#"error: user_script:1: Expected value but found invalid token at character 1"#,
        ),
        (
            r#"return cjson.decode('-')"#,
            r#"error: user_script:1: Expected value but found invalid number at character 1"#,
        ),
        (
            r#"return cjson.decode('+')"#,
            r#"error: user_script:1: Expected value but found invalid number at character 1"#,
        ),
        (
            r#"return cjson.decode('[1.5e+]')"#,
            r#"error: user_script:1: Expected comma or array end but found invalid token at character 5"#,
        ),
        (
            r#"return cjson.decode('nul')"#,
            r#"error: user_script:1: Expected value but found invalid token at character 1"#,
        ),
        (
            r#"return cjson.decode('\0[]')"#,
            r#"error: user_script:1: JSON parser does not support UTF-16 or UTF-32"#,
        ),
        (
            r#"return cjson.decode('[\0]')"#,
            r#"error: user_script:1: JSON parser does not support UTF-16 or UTF-32"#,
        ),
        (
            r#"return cjson.decode()"#,
            r#"error: user_script:1: bad argument #1 to 'decode' (expected 1 argument)"#,
        ),
        (
            r#"return cjson.decode('1', '2')"#,
            r#"error: user_script:1: bad argument #1 to 'decode' (expected 1 argument)"#,
        ),
        (
            r#"return cjson.decode({})"#,
            r#"error: user_script:1: bad argument #1 to 'decode' (string expected, got table)"#,
        ),
        (
            r#"return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"#,
            r#"error: user_script:1: Found too many nested data structures (1001) at character 1001"#,
        ),
        (
            r#"return cjson.decode('[' .. string.rep('{"a":', 1000) .. '1' .. string.rep('}', 1000) .. ']')"#,
            r#"error: user_script:1: Found too many nested data structures (1001) at character 4997"#,
        ),
        (
            r#"cjson.decode_max_depth(2) return cjson.decode('[[[1]]]')"#,
            r#"error: user_script:1: Found too many nested data structures (3) at character 3"#,
        ),
        (
            r#"cjson.decode_invalid_numbers(false) return cjson.decode('[NaN]')"#,
            r#"error: user_script:1: Expected value but found invalid token at character 2"#,
        ),
        (
            r#"cjson.decode_invalid_numbers(false) return cjson.decode('[-Infinity]')"#,
            r#"error: user_script:1: Expected value but found invalid number at character 2"#,
        ),
        (
            r#"cjson.decode_invalid_numbers(false) return cjson.decode('[0x10]')"#,
            r#"error: user_script:1: Expected value but found invalid number at character 2"#,
        ),
        (
            r#"cjson.decode_invalid_numbers(false) return cjson.decode('[01]')"#,
            r#"error: user_script:1: Expected value but found invalid number at character 2"#,
        ),
        (
            r#"cjson.decode_invalid_numbers(false) return cjson.decode('[+1]')"#,
            r#"error: user_script:1: Expected value but found invalid token at character 2"#,
        ),
        (
            r#"cjson.decode_invalid_numbers(false) return cjson.decode('[-1.5e3, 0, 0.5]')"#,
            r#"{[1]=-1500,[2]=0,[3]=0.5}"#,
        ),
        (
            r#"return pcall(cjson.decode, '{')"#,
            r#"false "Expected object key string but found T_END at character 2""#,
        ),
    ]);
}
