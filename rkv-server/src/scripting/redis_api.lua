-- The `redis` table scripts see, and Redis's math.random (chunk
-- "@rkv_internal", called once by sandbox.lua before it locks the globals).
--
-- Arguments: `rt` and `native` as sandbox.lua gets them, `mode`, and the
-- sandbox's helpers `h` (C, error_table, to_int, is_string_like).
-- Returns the table, and the functions adding the log API and the version
-- fields (FUNCTION LOAD's restricted `redis` table has those too).

local rt, native, mode, h = ...
local C, error_table, to_int, is_string_like = h.C, h.error_table, h.to_int, h.is_string_like
local type_, error_, tostring_, tonumber_, select_ = type, error, tostring, tonumber, select
local floor = math.floor
local concat = table.concat
local s_sub = string.sub

local function outside(what)
    return error_table(what .. ' can only be called inside a script invocation')
end

-- The `redis` table.
local redis = {}

-- redis.call and redis.pcall are C functions (run.rs `command_call`);
-- outside a script they raise this.
local function called_outside()
    error_(outside('redis.call/pcall'))
end
redis.call = native.command_caller(true, called_outside)
redis.pcall = native.command_caller(false, called_outside)

redis.setresp = C(function(...)
    local d = rt.d
    if not d then
        error_(outside('redis.setresp'))
    end
    if select_('#', ...) ~= 1 then
        error_(error_table('redis.setresp() requires one argument.'))
    end
    local resp = to_int((...))
    if resp ~= 2 and resp ~= 3 then
        error_(error_table('RESP version must be 2 or 3.'))
    end
    d('setresp', resp)
end)

redis.set_repl = C(function(...)
    local d = rt.d
    if not d then
        error_(outside('redis.set_repl'))
    end
    if select_('#', ...) ~= 1 then
        error_(error_table('redis.set_repl() requires two arguments.'))
    end
    local flags = to_int((...))
    if flags < 0 or flags > 3 then
        error_(error_table('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.'))
    end
    d('set_repl', flags)
end)

redis.acl_check_cmd = C(function(...)
    local d = rt.d
    if not d then
        error_(outside('redis.acl_check_cmd'))
    end
    local ok, v = d('acl_check_cmd', ...)
    if not ok then
        error_(v)
    end
    return v
end)

local log = C(function(...)
    local argc = select_('#', ...)
    if argc < 2 then
        error_(error_table('redis.log() requires two arguments or more.'))
    end
    local level = ...
    if tonumber_(level) == nil then
        error_(error_table('First argument must be a number (log level).'))
    end
    level = to_int(level)
    if level < 0 or level > 3 then
        error_(error_table('Invalid debug level.'))
    end
    local parts = {}
    for j = 2, argc do
        local s = select_(j, ...)
        if is_string_like(s) then
            if j ~= 2 then
                parts[#parts + 1] = ' '
            end
            parts[#parts + 1] = tostring_(s)
        end
    end
    native.log(level, concat(parts))
end)

local function add_log_api(t)
    t.log = log
    t.LOG_DEBUG = 0
    t.LOG_VERBOSE = 1
    t.LOG_NOTICE = 2
    t.LOG_WARNING = 3
end

local function add_version(t)
    t.REDIS_VERSION_NUM = native.version_num
    t.REDIS_VERSION = native.version
end

add_log_api(redis)
add_version(redis)

redis.sha1hex = C(function(...)
    if select_('#', ...) ~= 1 then
        error_(error_table('wrong number of arguments'))
    end
    local s = ...
    if not is_string_like(s) then
        s = ''
    end
    return native.sha1hex(tostring_(s))
end)

redis.error_reply = function(...)
    local s = ...
    if select_('#', ...) ~= 1 or type_(s) ~= 'string' then
        return error_table('wrong number or type of arguments')
    end
    if s_sub(s, 1, 1) ~= '-' then
        s = '-' .. s
    end
    return error_table(s)
end

redis.status_reply = function(...)
    local s = ...
    if select_('#', ...) ~= 1 or type_(s) ~= 'string' then
        return error_table('wrong number or type of arguments')
    end
    return { ok = s }
end

redis.REPL_NONE = 0
redis.REPL_AOF = 1
redis.REPL_SLAVE = 2
redis.REPL_REPLICA = 2
redis.REPL_ALL = 3

if mode == 'eval' then
    -- Outside the debugger (which rkv does not have) these do nothing.
    redis.breakpoint = function()
        return false
    end
    redis.debug = function() end
    redis.replicate_commands = function()
        return true
    end
end

-- math.random / math.randomseed on Redis's own lrand48, shared by all scripts.
local function check_int(v, i, present)
    local n = tonumber_(v)
    if n == nil then
        local got = present and type_(v) or 'no value'
        error_("bad argument #" .. i .. " to 'random' (number expected, got " .. got .. ")", 4)
    end
    return to_int(n)
end

math.random = C(function(...)
    if not rt.d then
        error_('math.random can only be called inside a script invocation', 3)
    end
    local argc = select_('#', ...)
    local r = native.rand()
    if argc == 0 then
        return r
    elseif argc == 1 then
        local u = check_int((...), 1, true)
        if u < 1 then
            error_("bad argument #1 to 'random' (interval is empty)", 3)
        end
        return floor(r * u) + 1
    elseif argc == 2 then
        local l, u = ...
        l = check_int(l, 1, true)
        u = check_int(u, 2, true)
        if l > u then
            error_("bad argument #2 to 'random' (interval is empty)", 3)
        end
        return floor(r * (u - l + 1)) + l
    end
    error_('wrong number of arguments', 3)
end)

math.randomseed = C(function(...)
    if not rt.d then
        error_('math.randomseed can only be called inside a script invocation', 3)
    end
    local seed = ...
    if tonumber_(seed) == nil then
        local got = select_('#', ...) > 0 and type_(seed) or 'no value'
        error_("bad argument #1 to 'randomseed' (number expected, got " .. got .. ")", 3)
    end
    native.srand(to_int(seed))
end)

return redis, add_log_api, add_version
