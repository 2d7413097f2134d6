//! The distribution files (issue 15): container image, release workflow, GitHub Action, GitLab
//! CI template, Argo CD plugin, Flux recipes. No Docker engine, GitHub or cluster here: this
//! checks that each is well-formed YAML with the fields its consumer reads, and that the files
//! they name exist. `.ci/dist-check.sh` runs the Argo CD plugin and the packaged chart through
//! the real Helm engine.

use std::path::Path;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn documents(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(path)).expect(path);
    serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kinds(docs: &[Value]) -> Vec<&str> {
    docs.iter()
        .map(|d| d["kind"].as_str().unwrap_or(""))
        .collect()
}

#[test]
fn kubernetes_style_files_name_their_kinds() {
    let table: &[(&str, &[&str])] = &[
        ("dist/argocd/plugin.yaml", &["ConfigManagementPlugin"]),
        ("dist/argocd/application.yaml", &["Application"]),
        ("dist/argocd/repo-server-patch.yaml", &["Deployment"]),
        (
            "dist/flux/rendered.yaml",
            &["GitRepository", "Kustomization"],
        ),
        (
            "dist/flux/helmrelease.yaml",
            &["OCIRepository", "HelmRelease"],
        ),
    ];
    for (path, expected) in table {
        let docs = documents(path);
        assert_eq!(kinds(&docs), *expected, "{path}");
        for doc in &docs {
            assert!(doc["apiVersion"].is_string(), "{path}");
            assert!(doc["metadata"]["name"].is_string(), "{path}");
        }
    }
}

/// Every parameter the plugin declares is one the generate script reads, and the reverse.
#[test]
fn argocd_plugin_parameters_are_the_scripts() {
    let plugin = &documents("dist/argocd/plugin.yaml")[0];
    let script = std::fs::read_to_string(Path::new(ROOT).join("dist/argocd/generate.sh")).unwrap();
    let declared: Vec<String> = plugin["spec"]["parameters"]["static"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap();
            format!("PARAM_{}", name.to_ascii_uppercase().replace('-', "_"))
        })
        .collect();
    for param in &declared {
        assert!(
            script.contains(param.as_str()),
            "generate.sh ignores {param}"
        );
    }
    let mut read: Vec<&str> = script
        .match_indices("PARAM_")
        .map(|(i, _)| {
            let rest = &script[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                .unwrap_or(rest.len());
            rest[..end].trim_end_matches('_')
        })
        .filter(|p| *p != "PARAM")
        .collect();
    read.sort_unstable();
    read.dedup();
    for param in read {
        assert!(
            declared.iter().any(|d| d == param),
            "plugin.yaml does not declare {param}"
        );
    }
    let application = &documents("dist/argocd/application.yaml")[0];
    let name = format!(
        "{}-{}",
        plugin["metadata"]["name"].as_str().unwrap(),
        plugin["spec"]["version"].as_str().unwrap()
    );
    assert_eq!(
        application["spec"]["source"]["plugin"]["name"],
        name.as_str()
    );
}

#[test]
fn ci_definitions_are_well_formed() {
    let release = &documents(".github/workflows/release.yml")[0];
    for job in ["binaries", "images", "release"] {
        assert!(
            release["jobs"][job]["steps"].is_array(),
            "release.yml job {job}"
        );
    }
    let targets: Vec<&str> = release["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    let action = &documents("action.yml")[0];
    assert_eq!(action["runs"]["using"], "composite");
    let action_script = action["runs"]["steps"][0]["run"].as_str().unwrap();
    for target in &targets {
        assert!(
            action_script.contains(target),
            "action.yml cannot download {target}"
        );
    }
    let gitlab = &documents("dist/gitlab/redis-ha.gitlab-ci.yml")[0];
    let before: Vec<&str> = gitlab[".redis-ha"]["before_script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(before.iter().any(|s| s.contains("sha256sum -c")));
    assert!(targets.iter().any(|t| before.iter().any(|s| s.contains(t))));
}

/// The files the Containerfile copies exist, and each stage it names is defined.
#[test]
fn containerfile_copies_what_exists() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("dist/Containerfile")).unwrap();
    for line in text
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let source = line.split_whitespace().nth(1).unwrap();
        if source != "." {
            assert!(Path::new(ROOT).join(source).exists(), "{line}");
        }
    }
    for line in text.lines().filter(|l| l.contains("--from=")) {
        let stage = line
            .split("--from=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        assert!(text.contains(&format!(" AS {stage}\n")), "{line}");
    }
}
