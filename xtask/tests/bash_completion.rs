//! Runs the generated bash completions in a real bash, to make sure they
//! complete subcommands' options (see `fix_bash_subcommand_states`).

use std::process::Command;

/// What the completion function of `program` offers after `words`.
fn complete(program: &str, words: &[&str]) -> String {
    let files = xtask::generate_all(xtask::programs()).expect("rendering docs");
    let script = files
        .iter()
        .find(|file| file.path.ends_with(format!("{program}.bash")))
        .expect("bash completion");
    let function = format!("_{}", program.replace('-', "__"));
    let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
    let probe = format!(
        "{}\nCOMP_WORDS=({program} {} '')\nCOMP_CWORD={}\n{function} {program} '' '{}'\necho \"${{COMPREPLY[*]}}\"\n",
        String::from_utf8_lossy(&script.contents),
        quoted.join(" "),
        words.len() + 1,
        words.last().copied().unwrap_or(program),
    );
    let output = Command::new("bash")
        .args(["-c", &probe])
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "bash failed: {output:?}");
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[test]
fn top_level_lists_subcommands() {
    let offered = complete("rkv-rdb", &[]);
    assert!(offered.contains("dump"), "offered: {offered}");
}

#[test]
fn subcommand_options_complete_for_hyphenated_programs() {
    let offered = complete("rkv-rdb", &["dump", "x.rdb"]);
    assert!(offered.contains("--format"), "offered: {offered}");
    let offered = complete("rkv-aof", &["to-rdb"]);
    assert!(offered.contains("--help"), "offered: {offered}");
}

#[test]
fn value_enums_complete() {
    let offered = complete("rkv-rdb", &["dump", "x.rdb", "--format"]);
    assert_eq!(offered.trim(), "json resp commands");
}
