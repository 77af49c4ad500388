//! Rendering man pages and shell completions into memory.

use std::io;
use std::path::PathBuf;

use clap::Command;
use clap_complete::{Generator, Shell};
use clap_mangen::Man;

/// Folder, relative to the workspace root, that holds the man pages.
pub const MAN_DIR: &str = "man";

/// Folder, relative to the workspace root, that holds the completions.
pub const COMPLETIONS_DIR: &str = "completions";

/// Shells that completions are generated for.
const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// One generated file: where it goes and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// The file's bytes.
    pub contents: Vec<u8>,
}

/// Renders the man pages and completions of every program in `programs`.
pub fn generate_all(programs: Vec<Command>) -> io::Result<Vec<GeneratedFile>> {
    let mut files = Vec::new();
    for program in programs {
        files.extend(man_pages(program.clone())?);
        files.extend(completions(program));
    }
    Ok(files)
}

/// The man page of `program`, plus one per subcommand (`rkv-rdb-dump.1`).
fn man_pages(mut program: Command) -> io::Result<Vec<GeneratedFile>> {
    // Building fills in the subcommands' display and bin names that the
    // pages' titles and synopses use.
    program.build();
    let mut pages = vec![man_page(program.clone())?];
    for subcommand in program.get_subcommands() {
        if subcommand.get_name() != "help" {
            pages.push(man_page(subcommand.clone())?);
        }
    }
    Ok(pages)
}

/// Renders one man page into section 1 of the rkv manual.
fn man_page(command: Command) -> io::Result<GeneratedFile> {
    let man = Man::new(command).manual("rkv manual");
    let mut contents = Vec::new();
    man.render(&mut contents)?;
    Ok(GeneratedFile {
        path: PathBuf::from(MAN_DIR).join(man.get_filename()),
        contents,
    })
}

/// The bash, zsh and fish completions of `program`.
fn completions(mut program: Command) -> Vec<GeneratedFile> {
    let name = program.get_name().to_owned();
    SHELLS
        .iter()
        .map(|shell| {
            let mut contents = Vec::new();
            clap_complete::generate(*shell, &mut program, &name, &mut contents);
            if *shell == Shell::Bash {
                contents = fix_bash_subcommand_states(&contents, &name);
            }
            GeneratedFile {
                path: PathBuf::from(COMPLETIONS_DIR).join(shell.file_name(&name)),
                contents,
            }
        })
        .collect()
}

/// Works around clap_complete's bash generator (clap-rs/clap#6421, still in
/// 4.6.11): for a program whose name has a hyphen, the `case` arms that hold
/// each subcommand's options spell the program name as `rkv__subcmd__rdb`
/// while the loop that tracks the current subcommand spells it `rkv__rdb`,
/// so nothing after a subcommand ever completed. Respelling the arms the
/// loop's way fixes it, and is a no-op once upstream is fixed.
fn fix_bash_subcommand_states(script: &[u8], program: &str) -> Vec<u8> {
    const SEPARATOR: &str = "__subcmd__";
    let text = String::from_utf8_lossy(script);
    let wrong = format!("{}{SEPARATOR}", program.replace('-', SEPARATOR));
    let right = format!("{}{SEPARATOR}", program.replace('-', "__"));
    text.replace(&wrong, &right).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated_paths() -> Vec<String> {
        generate_all(crate::programs())
            .expect("rendering into memory")
            .into_iter()
            .map(|file| file.path.display().to_string())
            .collect()
    }

    #[test]
    fn every_program_gets_a_man_page_and_three_completions() {
        let paths = generated_paths();
        for program in ["rkv-server", "rkv-cli", "rkv-rdb", "rkv-aof", "rkv-top"] {
            for expected in [
                format!("man/{program}.1"),
                format!("completions/{program}.bash"),
                format!("completions/_{program}"),
                format!("completions/{program}.fish"),
            ] {
                assert!(paths.contains(&expected), "missing {expected}");
            }
        }
    }

    #[test]
    fn subcommands_get_their_own_man_pages() {
        let paths = generated_paths();
        for page in ["man/rkv-rdb-dump.1", "man/rkv-aof-to-rdb.1"] {
            assert!(paths.contains(&page.to_owned()), "missing {page}");
        }
        assert!(!paths.contains(&"man/rkv-rdb-help.1".to_owned()));
    }

    #[test]
    fn man_page_documents_options() {
        let files = generate_all(crate::programs()).unwrap();
        let page = files
            .iter()
            .find(|file| file.path == std::path::Path::new("man/rkv-cli.1"))
            .expect("rkv-cli.1");
        let text = String::from_utf8_lossy(&page.contents);
        assert!(text.contains(".TH rkv-cli 1"), "{text}");
        assert!(text.contains("RKVCLI_AUTH"), "{text}");
    }
}
