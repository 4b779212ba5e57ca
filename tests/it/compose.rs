//! Designs composed from a base: `extends` merging rules, `remove`, errors
//! located in the file where the offending value was written, `show`
//! round trips, `--set` and `sweep`.

use std::path::Path;

use assert_cmd::Command;
use faultline::scenario::{self, Loaded};

use super::support::repo;

const FIXTURES: &str = "tests/fixtures/compose";

fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Loads a fixture through `extends`, named relative to the repository root.
fn load(fixture: &str) -> Result<Loaded, String> {
    let name = format!("{FIXTURES}/{fixture}.ron");
    scenario::load_path(&repo(&name), &name, &read, &[]).map_err(|e| {
        e.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn faultline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(repo(""))
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn a_diff_replaces_scalars_and_lists_merges_maps_and_removes_paths() {
    let m = load("diff").unwrap().model;
    // scalars: the diff's name; the base's horizon, trials and seed
    assert_eq!(m.name, "compose diff");
    assert_eq!((m.horizon, m.trials, m.seed), (8760.0, 200, 9));
    // lists replace: only the diff's failure
    assert_eq!(m.failures.len(), 1);
    assert_eq!(m.failures[0].name, "zone");
    // maps merge by key: the base's services in their order, then new ones
    let names: Vec<&str> = m.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web", "db", "cache"]);
    let web = &m.services[0];
    // inside a service: `cost` merges field by field, `deployments` stay the base's
    assert_eq!(web.cost_per_hour, 2000.0);
    assert_eq!(web.cost_per_data_loss_hour, 5.0);
    assert_eq!(web.deployments.len(), 2);
    // `remove` deleted `recs` and web's dependency on it
    assert_eq!(web.depends_on.len(), 1);
    // the db's deployment list is the diff's, its infra price the base's
    let db = &m.services[1];
    let deployment = &m.deployments[db.deployments.start];
    assert_eq!((db.deployments.len(), deployment.replicas.len()), (1, 3));
    assert_eq!(m.infra_cost_per_year(1), 3.0 * 300.0 * 12.0);
}

#[test]
fn a_chain_of_diffs_applies_in_order() {
    let m = load("middle").unwrap().model;
    assert_eq!((m.name.as_str(), m.seed), ("compose diff", 10));
    assert_eq!(m.services.len(), 3);
}

#[test]
fn show_prints_a_merged_scenario_that_loads_to_the_same_model() {
    let shown = stdout(faultline().args(["show", &format!("{FIXTURES}/diff.ron")]));
    assert!(!shown.contains("extends") && !shown.contains("remove"));
    let again = scenario::load("shown.ron", shown.as_bytes()).unwrap();
    let mut composed = load("diff").unwrap().model;
    composed.source_hash = again.source_hash;
    assert_eq!(again, composed);
    // showing the shown text changes nothing: it is already merged
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compose-show");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("shown.ron");
    std::fs::write(&file, &shown).unwrap();
    assert_eq!(stdout(faultline().arg("show").arg(&file)), shown);
}

#[test]
fn show_of_every_example_loads_to_the_example_model() {
    for entry in std::fs::read_dir(repo("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let name = path.display().to_string();
        let shown = stdout(faultline().arg("show").arg(&path));
        let again = scenario::load("shown.ron", shown.as_bytes()).unwrap();
        let mut original = scenario::load_path(&path, &name, &read, &[]).unwrap().model;
        original.source_hash = again.source_hash;
        // an uncertain input's position is where it is written in each text
        for (input, shown_input) in original.uncertain.iter_mut().zip(&again.uncertain) {
            input.at.clone_from(&shown_input.at);
        }
        assert_eq!(again, original, "{name}");
    }
}

#[test]
fn a_composed_result_hashes_the_merged_text() {
    let loaded = load("diff").unwrap();
    let text = loaded.composed.unwrap().text;
    assert_eq!(
        loaded.model.source_hash,
        faultline::model::fnv1a(text.as_bytes())
    );
}

/// Every fixture that fails, with the file and `LINE:COL` of its first
/// error, read off the fixtures by hand.
const ERRORS: &[(&str, &str)] = &[
    (
        "unknown_service_in_diff",
        "unknown_service_in_diff.ron:4:30",
    ),
    ("error_in_base", "base_with_error.ron:5:62"),
    ("errors_in_both", "errors_in_both.ron:5:60"),
    ("syntax_error_in_base", "broken_base.ron:2:19"),
    ("unknown_remove", "unknown_remove.ron:3:14"),
    ("cycle_a", "cycle_b.ron:3:14"),
    ("missing_base", "missing_base.ron:1:19"),
    ("outside_root", "outside_root.ron:1:19"),
    ("remove_without_extends", "remove_without_extends.ron:2:13"),
    ("missing_everywhere", "missing_everywhere.ron:1:1"),
];

#[test]
fn errors_point_at_the_file_and_line_where_the_value_was_written() {
    for (fixture, first) in ERRORS {
        let output = faultline()
            .args(["check", &format!("{FIXTURES}/{fixture}.ron")])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let expected = format!("{FIXTURES}/{first}: error: ");
        assert!(
            stderr.starts_with(&expected),
            "{fixture}: expected {expected}, got\n{stderr}"
        );
        insta::assert_snapshot!(format!("compose_{fixture}"), stderr);
    }
}

#[test]
fn set_edits_a_value_and_its_errors_point_at_the_argument() {
    let path = format!("{FIXTURES}/diff.ron");
    let shown = stdout(faultline().args([
        "show",
        &path,
        "--set",
        "services.db.deployments.0.replicas=5",
    ]));
    assert!(shown.contains("replicas: 5"), "{shown}");
    let output = faultline()
        .args([
            "show",
            &path,
            "--set",
            "services.db.deployments.0.replicas=0",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("--set:1:27: error: `replicas` of `db` is `0`"),
        "{stderr}"
    );
    let output = faultline()
        .args([
            "show",
            &path,
            "--set",
            "services.dbx.deployments.0.replicas=2",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "--set:1:1: error: cannot set `services.dbx.deployments.0.replicas`: no `dbx` here"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `db`?"), "{stderr}");
}

#[test]
fn a_refused_run_of_a_composed_scenario_points_at_the_file_that_wrote_the_field() {
    let output = faultline()
        .args(["run", &format!("{FIXTURES}/refused_run.ron")])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let expected = format!("{FIXTURES}/refused_run.ron:3:48: error: one trial would simulate");
    assert!(stderr.starts_with(&expected), "{stderr}");
}
