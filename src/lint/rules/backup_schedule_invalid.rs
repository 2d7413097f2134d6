//! The `backup-schedule-invalid` rule, and the cron grammar it checks.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that `backup.schedule` is a cron schedule Kubernetes accepts: 5 fields (minute
    /// 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-7), each `*`, a number, a
    /// range `a-b`, a list `a,b` and an optional step `/n`; or one of `@yearly`, `@monthly`,
    /// `@weekly`, `@daily`, `@hourly`. Month and day names (`jan`, `mon`) are accepted.
    ///
    /// ## Why is this bad?
    /// The API server refuses a CronJob whose schedule does not parse, so the whole release
    /// fails to apply; a schedule with 6 fields (seconds, as in some other cron dialects) or a
    /// field out of range is the usual mistake. Caught here, it fails in CI instead.
    ///
    /// ## Example
    /// ```yaml
    /// backup:
    ///   enabled: true
    ///   schedule: "0 0 3 * * *"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// backup:
    ///   enabled: true
    ///   schedule: "0 3 * * *"
    /// ```
    ///
    /// ## References
    /// - [CronJob schedule syntax](https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax)
    pub struct BackupScheduleInvalid {
        id: "backup-schedule-invalid",
        severity: Error,
        category: Validity,
        stage: Values,
    }
}

impl Rule for BackupScheduleInvalid {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("backup.enabled") != Some(true) {
            return;
        }
        let Some(schedule) = cx.str("backup.schedule") else {
            return;
        };
        if let Err(problem) = check_schedule(schedule) {
            out.report(
                cx.value_location("backup.schedule"),
                format!("`backup.schedule` `{schedule}` is not a cron schedule: {problem}"),
            )
            .hint("5 fields: minute hour day-of-month month day-of-week, e.g. `0 3 * * *` (every day at 03:00)");
        }
    }
}

const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (
        "day of week",
        0,
        7,
        &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    ),
];

/// Whether `schedule` parses as Kubernetes' cron (robfig/cron's standard parser), and why not.
pub fn check_schedule(schedule: &str) -> Result<(), String> {
    let schedule = schedule.trim();
    if let Some(name) = schedule.strip_prefix('@') {
        return match name {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            _ => Err(format!("unknown descriptor `@{name}`")),
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != FIELDS.len() {
        return Err(format!("{} fields, expected 5", fields.len()));
    }
    for (field, (name, min, max, names)) in fields.iter().zip(FIELDS) {
        for part in field.split(',') {
            check_part(part, min, max, names).map_err(|e| format!("{name} `{field}`: {e}"))?;
        }
    }
    Ok(())
}

fn check_part(part: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (part, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(n) if n > 0 => {}
            _ => return Err(format!("step `{step}` is not a positive number")),
        }
    }
    if range == "*" || range == "?" {
        return Ok(());
    }
    let value = |text: &str| -> Result<u32, String> {
        let n = match names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            Some(i) => u32::try_from(i).expect("few names") + min,
            None => text
                .parse::<u32>()
                .map_err(|_| format!("`{text}` is not a number"))?,
        };
        if n < min || n > max {
            return Err(format!("{n} is out of range {min}-{max}"));
        }
        Ok(n)
    };
    match range.split_once('-') {
        Some((low, high)) => {
            let (low, high) = (value(low)?, value(high)?);
            if low > high {
                return Err(format!("range {low}-{high} is backwards"));
            }
        }
        None => {
            value(range)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_schedule;

    #[test]
    fn schedules() {
        for (schedule, expected) in [
            ("0 3 * * *", Ok(())),
            ("*/15 * * * *", Ok(())),
            ("0 0-6/2 1,15 jan-jun mon-fri", Ok(())),
            ("0 3 * * 7", Ok(())),
            ("@daily", Ok(())),
            ("@often", Err("unknown descriptor `@often`")),
            ("0 0 3 * * *", Err("6 fields, expected 5")),
            ("0 3 * *", Err("4 fields, expected 5")),
            ("60 3 * * *", Err("minute `60`: 60 is out of range 0-59")),
            ("0 24 * * *", Err("hour `24`: 24 is out of range 0-23")),
            ("0 3 0 * *", Err("day of month `0`: 0 is out of range 1-31")),
            ("0 3 * 13 *", Err("month `13`: 13 is out of range 1-12")),
            ("0 3 * * 8", Err("day of week `8`: 8 is out of range 0-7")),
            ("0 5-3 * * *", Err("hour `5-3`: range 5-3 is backwards")),
            (
                "*/0 * * * *",
                Err("minute `*/0`: step `0` is not a positive number"),
            ),
            ("x * * * *", Err("minute `x`: `x` is not a number")),
        ] {
            assert_eq!(
                check_schedule(schedule),
                expected.map_err(str::to_owned),
                "{schedule}"
            );
        }
    }
}
