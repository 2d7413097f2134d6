//! Tests of `redis-ha render` and `redis-ha values`.

use crate::common::CliTest;

#[test]
fn unknown_env_lists_presets() {
    let t = CliTest::new();
    let run = t.run(&["render", "--env", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("dev, production, staging"),
        "{}",
        run.stderr
    );
}
