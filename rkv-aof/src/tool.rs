//! What the `rkv-aof` subcommands do and print. Output goes to the given
//! writers and confirmation is read from the given input, so tests drive
//! the tool without a terminal.

use std::io::{BufRead, Write};
use std::path::Path;

use rkv_proto::quote_repr;

use crate::check::{check_file, DamageKind, FileCheck, PreambleStatus};
use crate::cli::{AofCommand, FixArgs};
use crate::error::AofError;
use crate::fix::{apply, plan_fix, FixMode, FixPlan, TruncationPlan};
use crate::layout::{AofLayout, AofPart};
use crate::preamble::PreambleReader;
use crate::stats::Stats;

/// Exit status: everything valid / done.
pub const EXIT_OK: u8 = 0;
/// Exit status: damage found, a repair refused or declined, or an error.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status: bad usage or a subcommand this build lacks.
pub const EXIT_USAGE: u8 = 2;

/// Runs `command`, printing to `out` (and errors to `err`), reading
/// confirmations from `input`; returns the process exit status. RDB
/// preambles are detected but not validated: see [`run_with`].
pub fn run(
    command: AofCommand,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    run_with(command, None, input, out, err)
}

/// [`run`] with a reader that validates RDB preambles (and lets the
/// commands after an old-style preamble be checked).
pub fn run_with(
    command: AofCommand,
    preamble: Option<&dyn PreambleReader>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let result = match command {
        AofCommand::Check(args) => run_check(&args.path, preamble, out),
        AofCommand::Fix(args) => run_fix(&args, preamble, input, out),
        AofCommand::Stats(args) => run_stats(&args.path, preamble, out),
        AofCommand::ToRdb(args) => match run_to_rdb(&args.path, &args.out, out) {
            Ok(code) => Ok(code),
            Err(ToRdbError::Output(e)) => Err(ToolError::Output(e)),
            Err(ToRdbError::Failed(reason)) => {
                let _ = out.flush();
                let _ = writeln!(err, "rkv-aof: to-rdb: {reason}");
                return EXIT_FAILURE;
            }
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = out.flush();
            let _ = writeln!(err, "rkv-aof: {e}");
            EXIT_FAILURE
        }
    }
}

/// Failures of the tool: the library's, or writing its output.
#[derive(Debug, thiserror::Error)]
enum ToolError {
    #[error(transparent)]
    Aof(#[from] AofError),
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

/// Failures of `to-rdb`: the conversion's (a message), or printing.
enum ToRdbError {
    Failed(String),
    Output(std::io::Error),
}

impl From<std::io::Error> for ToRdbError {
    fn from(e: std::io::Error) -> Self {
        ToRdbError::Output(e)
    }
}

fn run_to_rdb(path: &Path, rdb: &Path, out: &mut dyn Write) -> Result<u8, ToRdbError> {
    let done = crate::to_rdb::convert(path, rdb).map_err(ToRdbError::Failed)?;
    writeln!(
        out,
        "Replayed {} with {} (a scratch server on a copy)",
        path.display(),
        done.server.display()
    )?;
    if done.keyspace.is_empty() {
        writeln!(out, "The dataset is empty")?;
    }
    for line in &done.keyspace {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "Wrote {} ({} byte{})",
        rdb.display(),
        done.rdb_bytes,
        plural(done.rdb_bytes)
    )?;
    Ok(EXIT_OK)
}

fn resolve(path: &Path, out: &mut dyn Write) -> Result<Vec<AofPart>, ToolError> {
    let layout = AofLayout::resolve(path)?;
    let parts = layout.parts();
    match &layout {
        AofLayout::MultiPart { manifest_path, .. } => writeln!(
            out,
            "Multi-part AOF, manifest {} ({} file{} to load)",
            manifest_path.display(),
            parts.len(),
            plural(parts.len() as u64)
        )?,
        AofLayout::Single { path } => writeln!(out, "Single-file AOF {}", path.display())?,
    }
    Ok(parts)
}

fn run_check(
    path: &Path,
    preamble: Option<&dyn PreambleReader>,
    out: &mut dyn Write,
) -> Result<u8, ToolError> {
    let parts = resolve(path, out)?;
    let mut valid = true;
    let mut unvalidated = false;
    for part in &parts {
        let check = check_file(part, preamble, &mut |_, _| {})?;
        report_file(&check, out)?;
        valid &= check.is_valid();
        unvalidated |= check.preamble == PreambleStatus::NotValidated;
    }
    if valid {
        let note = if unvalidated {
            " (except the RDB preamble, not validated)"
        } else {
            ""
        };
        writeln!(out, "AOF is valid{note}")?;
        Ok(EXIT_OK)
    } else {
        writeln!(
            out,
            "AOF is not valid. `rkv-aof fix {}` cuts a damaged tail.",
            path.display()
        )?;
        Ok(EXIT_FAILURE)
    }
}

fn report_file(check: &FileCheck, out: &mut dyn Write) -> Result<(), ToolError> {
    let head = format!("[{} {}]", check.part.role.label(), check.part.name);
    match &check.preamble {
        PreambleStatus::NotValidated => {
            return Ok(writeln!(
            out,
            "{head} {} bytes, RDB preamble present; not validated (this build has no RDB reader)",
            check.size
        )?)
        }
        PreambleStatus::Valid(summary) => {
            writeln!(out, "{head} RDB preamble OK ({} bytes)", summary.len)?
        }
        PreambleStatus::Invalid(_) | PreambleStatus::Absent => {}
    }
    if check.size == 0 {
        return Ok(writeln!(out, "{head} empty")?);
    }
    let status = match check.damage.as_ref().map(|d| d.kind) {
        None => "valid",
        Some(DamageKind::Truncated) => "TRUNCATED",
        Some(DamageKind::UnterminatedMulti) => "UNTERMINATED MULTI",
        Some(DamageKind::Corrupt) => "CORRUPT",
        Some(DamageKind::BadPreamble) => "BAD RDB PREAMBLE",
    };
    writeln!(
        out,
        "{head} {status}: {} bytes, {} command{}, {} transaction{}, {} annotation{}",
        check.size,
        check.commands,
        plural(check.commands),
        check.transactions,
        plural(check.transactions),
        check.annotations,
        plural(check.annotations)
    )?;
    writeln!(
        out,
        "  ok up to byte {} (line {}), {} byte{} after it",
        check.valid_end,
        check.valid_end_line,
        check.size - check.valid_end,
        plural(check.size - check.valid_end)
    )?;
    match &check.damage {
        None => writeln!(out, "  MULTI/EXEC balanced")?,
        Some(damage) => {
            writeln!(out, "  {}", damage.reason)?;
            if damage.dropped_commands > 0 {
                writeln!(
                    out,
                    "  the unfinished transaction at byte {} holds {} complete command{}",
                    check.valid_end,
                    damage.dropped_commands,
                    plural(damage.dropped_commands)
                )?;
            }
        }
    }
    Ok(())
}

fn run_fix(
    args: &FixArgs,
    preamble: Option<&dyn PreambleReader>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<u8, ToolError> {
    let parts = resolve(&args.path, out)?;
    let mode = match (args.truncate_to_timestamp, args.truncate_to_valid) {
        (Some(ts), _) => FixMode::ToTimestamp(i64::try_from(ts).unwrap_or(i64::MAX)),
        (None, true) => FixMode::ToValid,
        (None, false) => FixMode::TailOnly,
    };
    let plan = match plan_fix(&parts, mode, preamble)? {
        FixPlan::Nothing(why) => {
            writeln!(out, "Nothing to cut: {why}")?;
            return Ok(EXIT_OK);
        }
        FixPlan::Refuse(why) => {
            writeln!(out, "Not fixing: {why}")?;
            return Ok(EXIT_FAILURE);
        }
        FixPlan::Truncate(plan) => plan,
    };
    describe_plan(&plan, out)?;
    if !args.yes && !confirmed(input, out)? {
        writeln!(out, "Aborted; nothing was changed")?;
        return Ok(EXIT_FAILURE);
    }
    let backup = apply(&plan)?;
    writeln!(out, "Backup written to {}", backup.display())?;
    writeln!(out, "Cut {} to {} bytes", plan.name, plan.new_size)?;
    let recheck = check_file(
        parts.last().expect("a plan names a part"),
        preamble,
        &mut |_, _| {},
    )?;
    if recheck.is_valid() {
        writeln!(out, "{} is valid now", plan.name)?;
        Ok(EXIT_OK)
    } else {
        report_file(&recheck, out)?;
        Ok(EXIT_FAILURE)
    }
}

fn describe_plan(plan: &TruncationPlan, out: &mut dyn Write) -> Result<(), ToolError> {
    writeln!(out, "{}: {}", plan.name, plan.reason)?;
    writeln!(
        out,
        "This cuts {} from {} to {} bytes, removing {} byte{} from byte {}, starting with:",
        plan.name,
        plan.size,
        plan.new_size,
        plan.cut_len(),
        plural(plan.cut_len()),
        plan.new_size
    )?;
    let more = if plan.cut_len() > plan.preview.len() as u64 {
        " ..."
    } else {
        ""
    };
    writeln!(out, "  {}{more}", quote_repr(&plan.preview))?;
    if plan.dropped_commands > 0 {
        writeln!(
            out,
            "{} complete command{} after the cut point {} lost with it",
            plan.dropped_commands,
            plural(plan.dropped_commands),
            if plan.dropped_commands == 1 {
                "is"
            } else {
                "are"
            }
        )?;
    }
    if plan.loses_data_after_damage {
        writeln!(
            out,
            "WARNING: the damage is not at the end: everything after byte {} is lost",
            plan.new_size
        )?;
        match plan.readable_after_damage {
            Some((from, count)) => writeln!(
                out,
                "  including {count} complete command{} readable from byte {from} on",
                plural(count)
            )?,
            None => writeln!(out, "  no complete command could be read after the damage")?,
        }
    }
    Ok(())
}

fn confirmed(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<bool, ToolError> {
    write!(out, "Continue? [y/N]: ")?;
    out.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    Ok(answer.trim_start().starts_with(['y', 'Y']))
}

fn run_stats(
    path: &Path,
    preamble: Option<&dyn PreambleReader>,
    out: &mut dyn Write,
) -> Result<u8, ToolError> {
    let parts = resolve(path, out)?;
    let mut stats = Stats::new();
    let mut total = 0;
    let mut damaged = Vec::new();
    for part in &parts {
        stats.start_file();
        let check = check_file(part, preamble, &mut |entry, _| stats.observe(entry))?;
        total += check.size;
        let note = match (&check.preamble, &check.damage) {
            (PreambleStatus::NotValidated, _) => {
                " (RDB preamble; its keys are not counted)".to_string()
            }
            (_, Some(damage)) => {
                damaged.push(damage.reason.clone());
                format!(" (stopped at damage, byte {})", damage.offset)
            }
            _ => String::new(),
        };
        writeln!(
            out,
            "[{} {}] {} bytes, {} command{}{note}",
            part.role.label(),
            part.name,
            check.size,
            check.commands,
            plural(check.commands)
        )?;
    }
    writeln!(
        out,
        "Total: {total} bytes, {} command{} in {} bytes",
        stats.commands,
        plural(stats.commands),
        stats.command_bytes
    )?;
    match (stats.first_timestamp, stats.last_timestamp) {
        (Some(first), Some(last)) => writeln!(
            out,
            "Time span: {} to {} ({} s, #TS {first} to {last})",
            utc_datetime(first),
            utc_datetime(last),
            last.saturating_sub(first)
        )?,
        _ => writeln!(out, "Time span: unknown (no #TS annotations)")?,
    }
    let per_db: Vec<String> = stats
        .keys_per_db()
        .map(|(db, n)| format!("db{db}: {n}"))
        .collect();
    writeln!(
        out,
        "Keys touched: {}{}",
        stats.keys_touched(),
        if per_db.is_empty() {
            String::new()
        } else {
            format!(" ({})", per_db.join(", "))
        }
    )?;
    writeln!(out, "Commands by name:")?;
    let mut names: Vec<_> = stats.by_name.iter().collect();
    names.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    for (name, named) in names {
        writeln!(
            out,
            "  {name:<20} {:>10} {:>12} bytes",
            named.count, named.bytes
        )?;
    }
    for reason in &damaged {
        writeln!(out, "WARNING: {reason}")?;
    }
    Ok(if damaged.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    })
}

/// `secs` since the Unix epoch as `YYYY-MM-DD HH:MM:SS UTC` (proleptic
/// Gregorian calendar, from the day count by the usual era arithmetic).
fn utc_datetime(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::utc_datetime;

    #[test]
    fn utc_dates_match_date_1() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_datetime(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_datetime(1_795_278_747), "2026-11-21 16:32:27 UTC");
        assert_eq!(utc_datetime(-1), "1969-12-31 23:59:59 UTC");
    }
}
