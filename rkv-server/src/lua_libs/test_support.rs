//! Test harness: runs a case script in a fresh Lua state with the
//! libraries, wrapped exactly as it was sent to redis-server 7.0.15 to
//! obtain the expected outputs (`EVAL <wrapped script> 0`).

use mlua::Lua;

/// Helpers prepended to every case, all on line 1 so error positions read
/// `user_script:1:` as in Redis. `dump` prints values deterministically
/// (sorted keys, `%.17g` numbers, escaped strings), `hex` hex-encodes.
const PRELUDE: &str = concat!(
    "local function q(s) return (string.format('%q', s):gsub('[^ -~]', function(c) return '\\\\' .. c:byte() end)) end ",
    "local function dump(v) local t = type(v) if t == 'table' then local keys = {} for k in pairs(v) do keys[#keys+1] = k end ",
    "table.sort(keys, function(a, b) if type(a) == type(b) and type(a) ~= 'boolean' then return a < b end return type(a) < type(b) end) ",
    "local parts = {} for _, k in ipairs(keys) do parts[#parts+1] = '[' .. dump(k) .. ']=' .. dump(v[k]) end return '{' .. table.concat(parts, ',') .. '}' ",
    "elseif t == 'string' then return q(v) elseif t == 'number' then return string.format('%.17g', v) ",
    "elseif v == cjson.null then return 'null' else return tostring(v) end end ",
    "local function dumpall(...) local out = {} for i = 1, select('#', ...) do out[i] = dump((select(i, ...))) end return table.concat(out, ' ') end ",
    "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end ",
);

/// The script sent to Redis for `case`.
pub fn wrap(case: &str) -> String {
    format!("{PRELUDE}local function main() {case} end return dumpall(main())")
}

/// Runs `case` and returns its dumped results, or `error: <message>`.
pub fn run(case: &str) -> String {
    let lua = Lua::new();
    super::register_all(&lua).expect("register_all");
    let result = lua
        .load(wrap(case))
        .set_name("=user_script")
        .eval::<mlua::String>();
    match result {
        Ok(s) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
        // mlua appends a traceback to the Lua error message; Redis does not.
        Err(mlua::Error::RuntimeError(msg)) => {
            format!(
                "error: {}",
                msg.split("\nstack traceback:").next().unwrap_or_default()
            )
        }
        Err(other) => format!("error: {other}"),
    }
}

/// Runs every `(case, expected)` pair and reports all mismatches at once.
pub fn check_cases(cases: &[(&str, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(case, expected)| {
            let got = run(case);
            (got != *expected)
                .then(|| format!("case: {case}\n  expected: {expected}\n  got:      {got}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
