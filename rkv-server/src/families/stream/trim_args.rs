//! The options XADD and XTRIM share (NOMKSTREAM, MAXLEN/MINID with `=`/`~`,
//! LIMIT), parsed in Redis's order with Redis's error texts.

use crate::command::Ctx;
use crate::types::stream::{ParsedId, StreamId, Trim, TrimStrategy, INVALID_ID, NODE_MAX_ENTRIES};

/// The default LIMIT of an approximate trim (100 × `stream-node-max-entries`).
const DEFAULT_APPROX_LIMIT: u64 = 100 * NODE_MAX_ENTRIES as u64;

/// Parsed XADD / XTRIM options.
#[derive(Debug, Clone, Default)]
pub struct AddTrimArgs {
    /// The trim to apply, if any.
    pub trim: Option<Trim>,
    /// NOMKSTREAM.
    pub no_mkstream: bool,
    /// The ID argument (XADD): `None` for `*`.
    pub id: Option<ParsedId>,
    /// Index of the argument after the options (XADD: the ID's).
    pub end: usize,
    /// Index of the MAXLEN/MINID threshold argument (0: none), rewritten
    /// for propagation after an approximate trim.
    pub threshold_idx: usize,
}

/// The arguments to propagate after an approximate (`~`) trim left
/// `stream` as it is: `= <length>` for MAXLEN, `= <first id>` for MINID,
/// so a replay trims exactly as much (Redis's `streamRewriteTrimArgument`).
pub fn exact_trim_argv(
    argv: &[&[u8]],
    args: &AddTrimArgs,
    stream: &crate::types::stream::StreamValue,
) -> Option<Vec<Vec<u8>>> {
    let trim = args.trim.as_ref()?;
    if !trim.approx || args.threshold_idx < 2 {
        return None;
    }
    let mut out: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
    out[args.threshold_idx - 1] = b"=".to_vec();
    out[args.threshold_idx] = match trim.strategy {
        TrimStrategy::MaxLen(_) => stream.len().to_string().into_bytes(),
        TrimStrategy::MinId(_) => match stream.first_entry() {
            Some((id, _)) => id.to_string().into_bytes(),
            None => format!("{}-{}", u64::MAX, u64::MAX).into_bytes(),
        },
    };
    Some(out)
}

/// Parses from argument 2; `None` after replying an error.
pub fn parse(ctx: &mut Ctx, xadd: bool) -> Option<AddTrimArgs> {
    let mut args = AddTrimArgs::default();
    let mut strategy: Option<TrimStrategy> = None;
    let mut approx = false;
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let argc = ctx.argc();
    let mut i = 2;
    while i < argc {
        let more = argc - 1 - i;
        let opt = ctx.arg(i);
        if xadd && opt == b"*" {
            break;
        } else if (opt.eq_ignore_ascii_case(b"maxlen") || opt.eq_ignore_ascii_case(b"minid"))
            && more > 0
        {
            if strategy.is_some() {
                ctx.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                return None;
            }
            let next = ctx.arg(i + 1);
            approx = more >= 2 && next == b"~";
            if more >= 2 && (next == b"~" || next == b"=") {
                i += 1;
            }
            args.threshold_idx = i + 1;
            if opt.eq_ignore_ascii_case(b"maxlen") {
                let max = ctx.i64_or_reply(i + 1)?;
                if max < 0 {
                    ctx.error("ERR The MAXLEN argument must be >= 0.");
                    return None;
                }
                strategy = Some(TrimStrategy::MaxLen(max as u64));
            } else {
                let Some(p) = StreamId::parse(ctx.arg(i + 1), 0, true, false) else {
                    ctx.error(INVALID_ID);
                    return None;
                };
                strategy = Some(TrimStrategy::MinId(p.id));
            }
            i += 1;
        } else if opt.eq_ignore_ascii_case(b"limit") && more > 0 {
            limit = ctx.i64_or_reply(i + 1)?;
            if limit < 0 {
                ctx.error("ERR The LIMIT argument must be >= 0.");
                return None;
            }
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            args.no_mkstream = true;
        } else if xadd {
            let Some(p) = StreamId::parse(opt, 0, true, true) else {
                ctx.error(INVALID_ID);
                return None;
            };
            args.id = Some(p);
            break;
        } else {
            ctx.syntax_error();
            return None;
        }
        i += 1;
    }
    args.end = i;
    if limit != 0 && strategy.is_none() {
        ctx.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return None;
    }
    if !xadd && strategy.is_none() {
        ctx.error("ERR syntax error, XTRIM must be called with a trimming strategy");
        return None;
    }
    if limit_given && !approx {
        ctx.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
        return None;
    }
    let limit = match (limit_given, approx) {
        (true, _) => limit as u64,
        (false, true) => DEFAULT_APPROX_LIMIT,
        (false, false) => 0,
    };
    args.trim = strategy.map(|strategy| Trim {
        strategy,
        approx,
        limit,
    });
    Some(args)
}
