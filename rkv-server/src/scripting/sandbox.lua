-- rkv's Lua sandbox, run once in every new Lua state (chunk "@rkv_internal").
--
-- Redis patches Lua with read-only tables; stock Lua 5.1 has none, so the
-- globals and every library table are emptied into hidden stores and
-- replaced by proxies whose metamethods refuse writes and report reads of
-- missing globals, with Redis's words and error positions.
--
-- Arguments: `rt` (slots Rust fills during a run: `d` the dispatcher,
-- `load` the FUNCTION LOAD registrar), `native` (Rust helpers that need no
-- run: sha1hex, log, rand, srand, c_function, and redis_api.lua compiled),
-- `mode` ("eval" or "functions").
-- Returns the globals store (KEYS/ARGV go there), the plain pcall
-- (FUNCTION LOAD runs without a handler), for functions a switch between
-- the load-time and the run-time API (else nil), and the error handler
-- (entry.rs calls scripts and functions under it).

local rt, native, mode = ...
local G = _G
local dbg = debug
local type_, error_, tostring_, tonumber_, next_, select_, unpack_ =
    type, error, tostring, tonumber, next, select, unpack
local rawset_, rawget_, setmetatable_, getmetatable_, pcall_ =
    rawset, rawget, setmetatable, getmetatable, pcall
local floor = math.floor
local concat = table.concat
-- String functions called directly: scripts can reach the string
-- metatable, so the sandbox does not rely on method lookups.
local s_sub, s_find, s_gsub, s_byte = string.sub, string.find, string.gsub, string.byte

local READONLY = 'Attempt to modify a readonly table'

-- Functions scripts call must be C functions, as Redis's are: a Lua
-- function called in tail position (`return redis.call(...)`) would replace
-- the script's frame, and errors would lose the script's line. `C(f)` wraps
-- `f` in a C closure; string errors in `f` use level 3 to name the script.
local C = native.c_function

-- Redis's allow list, less getfenv, setfenv and newproxy, which the
-- 7.0.15 build rkv follows (Debian's, with its security fixes) removes.
local allowed = {}
for _, name in ipairs({
    'string', 'cjson', 'bit', 'cmsgpack', 'math', 'table', 'struct',
    'redis', 'xpcall', 'tostring', 'setmetatable', 'next',
    'assert', 'tonumber', 'rawequal', 'collectgarbage', 'getmetatable',
    'rawset', 'pcall', 'coroutine', 'type', '_G', 'select', 'unpack',
    'gcinfo', 'pairs', 'rawget', 'loadstring', 'ipairs', '_VERSION',
    'load', 'error',
}) do
    allowed[name] = true
end

-- Proxy -> the real table behind it.
local readonly = setmetatable_({}, { __mode = 'k' })

local function refuse_write()
    error_(READONLY, 2)
end

local function missing_global(name)
    return "Script attempted to access nonexistent global variable '" .. tostring_(name) .. "'"
end

-- A read-only view of `t` (and of the tables inside it); `strict` makes
-- reads of missing fields errors, as Redis's globals do.
local function protect(t, strict)
    for k, v in next_, t do
        if type_(v) == 'table' and not readonly[v] then
            t[k] = protect(v, false)
        end
    end
    local proxy = {}
    local index = t
    if strict then
        index = function(_, k)
            local v = t[k]
            if v == nil then
                error_(missing_global(k), 2)
            end
            return v
        end
    end
    setmetatable_(proxy, { __index = index, __newindex = refuse_write, __metatable = false })
    readonly[proxy] = t
    return proxy
end

-- Redis's error table for an error line: `-CODE msg` or a bare message.
local function error_table(s)
    local code, msg
    if s_sub(s, 1, 1) == '-' then
        local sp = s_find(s, ' ', 1, true)
        if sp then
            code, msg = s_sub(s, 2, sp - 1), s_sub(s, sp + 1)
        else
            code, msg = 'ERR', s_sub(s, 2)
        end
    else
        code, msg = 'ERR', s
    end
    msg = s_gsub((s_gsub(msg, '^[\r\n]+', '')), '[\r\n]+$', '')
    return { err = code .. ' ' .. msg }
end

-- lua_tonumber then a C cast to int: non-numbers are 0, fractions truncate.
local function to_int(v)
    local n = tonumber_(v) or 0
    if n >= 0 then
        return floor(n)
    end
    return -floor(-n)
end

local function is_string_like(v)
    local t = type_(v)
    return t == 'string' or t == 'number'
end

local redis, add_log_api, add_version = native.redis_api(rt, native, mode, {
    C = C,
    error_table = error_table,
    to_int = to_int,
    is_string_like = is_string_like,
})

-- Redis's pcall: an error table with an `err` field comes back as that text.
local function pack(...)
    return { n = select_('#', ...), ... }
end
local function redis_pcall(...)
    local res = pack(pcall_(...))
    if not res[1] then
        local e = res[2]
        if type_(e) == 'table' and is_string_like(e.err) then
            e = e.err
        end
        return false, e
    end
    return unpack_(res, 1, res.n)
end

-- Move the allowed globals into the store and empty the real globals table.
local store = {}
for k, v in next_, G do
    if allowed[k] then
        store[k] = v
    end
end
local names = {}
for k in next_, G do
    names[#names + 1] = k
end
for _, k in ipairs(names) do
    rawset_(G, k, nil)
end
store.redis = redis
store.pcall = redis_pcall
store._G = G

-- The error handler: Redis's, adding where the script failed. Frames of
-- C functions and of this sandbox are skipped to reach the user's code.
local function handler(err)
    local level = 2
    local info = dbg.getinfo(level, 'nSl')
    while info and (info.what == 'C' or info.source == '@rkv_internal') do
        level = level + 1
        info = dbg.getinfo(level, 'nSl')
    end
    if rt.killed then
        err = error_table(rt.killed)
    end
    if type_(err) ~= 'table' then
        err = { err = 'ERR ' .. tostring_(err) }
    end
    if info then
        err['source'] = info.source
        err['line'] = info.currentline
    end
    return err
end

if mode == 'eval' then
    store.__redis__err__handler = handler
end

-- The raw functions see through proxies as Redis's read-only tables allow.
store.rawset = function(t, k, v)
    if readonly[t] then
        error_(READONLY, 0)
    end
    return rawset_(t, k, v)
end
store.rawget = function(t, k)
    local real = readonly[t]
    if real then
        return rawget_(real, k)
    end
    return rawget_(t, k)
end
store.setmetatable = function(t, mt)
    if readonly[t] then
        error_(READONLY, 0)
    end
    return setmetatable_(t, mt)
end
local function proxy_next(t, k)
    local real = readonly[t]
    if real then
        return next_(real, k)
    end
    return next_(t, k)
end
store.next = proxy_next
store.pairs = function(t)
    return proxy_next, t, nil
end

-- Redis's Lua refuses precompiled chunks: text starting with the bytecode
-- signature goes to the parser, which rejects it. A leading space does the
-- same here without changing what the parser reports.
local loadstring_, load_ = store.loadstring, store.load
local ESC = 27
store.loadstring = function(s, chunkname)
    if type_(s) == 'string' and s_byte(s, 1) == ESC then
        return loadstring_(' ' .. s, chunkname or s)
    end
    return loadstring_(s, chunkname)
end
store.load = function(reader, chunkname)
    if type_(reader) ~= 'function' then
        return load_(reader, chunkname)
    end
    local started = false
    return load_(function()
        local piece = reader()
        if not started and type_(piece) == 'string' and piece ~= '' then
            started = true
            if s_byte(piece, 1) == ESC then
                piece = ' ' .. piece
            end
        end
        return piece
    end, chunkname)
end

-- Protect every library table, then the globals themselves.
for k, v in next_, store do
    if type_(v) == 'table' and v ~= G then
        store[k] = protect(v, false)
    end
end

-- Strings index the protected string table, as in Redis (where the
-- string table itself is read-only).
getmetatable_('').__index = store.string

-- Reads of globals go through `__index` tables (no Lua call for a global
-- that exists): the empty globals table to the store, and a missing name
-- on to the store's own `__index`, which raises Redis's error (level 2 is
-- still the script: metamethods chain inside the reading instruction).
local function refuse_missing(_, k)
    error_(missing_global(k), 2)
end
setmetatable_(store, { __index = refuse_missing, __metatable = false })
local globals_mt = { __index = store, __newindex = refuse_write, __metatable = false }
readonly[G] = store
setmetatable_(G, globals_mt)

local set_load_mode
if mode == 'functions' then
    -- At FUNCTION LOAD only `redis` with register_function, log and the
    -- version exists, and a missing name there is an error too.
    local lib_redis = { register_function = C(function(...)
        local reg = rt.load
        if not reg then
            error_(error_table('redis.register_function can only be called on FUNCTION LOAD command'))
        end
        local ok, v = reg(...)
        if not ok then
            error_(v)
        end
    end) }
    add_log_api(lib_redis)
    add_version(lib_redis)
    local lib_api = setmetatable_({ redis = protect(lib_redis, true) }, {
        __index = refuse_missing,
        __metatable = false,
    })
    set_load_mode = function(on)
        if on then
            globals_mt.__index = lib_api
        else
            globals_mt.__index = store
        end
    end
end

return store, pcall_, set_load_mode, handler
