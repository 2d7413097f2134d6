//! The packaged `Chart.yaml`: an application chart (apiVersion v2) whose version is SemVer 2,
//! as Helm requires of every chart it stores in a repository.

use std::fmt::Write as _;

use crate::chart::ChartMetadata;

/// A chart version Helm would refuse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "invalid chart version `{version}`: {reason}\n  hint: chart versions are SemVer 2, for example `1.2.3` or `1.2.3-rc.1`; pass one with `--version`"
)]
pub struct VersionError {
    pub version: String,
    pub reason: String,
}

/// Checks a chart version and returns it in its canonical form.
pub fn check_version(version: &str) -> Result<String, VersionError> {
    semver::Version::parse(version)
        .map(|v| v.to_string())
        .map_err(|e| VersionError {
            version: version.to_owned(),
            reason: e.to_string(),
        })
}

/// What goes into `Chart.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartYaml {
    pub name: String,
    pub version: String,
    pub app_version: Option<String>,
    pub description: String,
    pub kube_version: String,
}

impl ChartYaml {
    /// From the source chart's metadata and the package's flags; `render_kube` (`MAJOR.MINOR`)
    /// is the floor when the source chart states no `kubeVersion`.
    pub fn new(
        source: &ChartMetadata,
        version: Option<&str>,
        app_version: Option<&str>,
        render_kube: (u64, u64),
    ) -> Result<ChartYaml, VersionError> {
        Ok(ChartYaml {
            name: source.name.clone(),
            version: check_version(version.unwrap_or(&source.version))?,
            app_version: app_version
                .map(ToOwned::to_owned)
                .or_else(|| source.app_version.clone()),
            description: source
                .description
                .clone()
                .unwrap_or_else(|| format!("{}, rendered by redis-ha", source.name)),
            kube_version: source
                .kube_version
                .clone()
                .unwrap_or_else(|| format!(">={}.{}.0-0", render_kube.0, render_kube.1)),
        })
    }

    /// The file, fields in a fixed order; free-text fields are double-quoted.
    pub fn to_yaml(&self) -> String {
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut out = String::new();
        let _ = writeln!(out, "apiVersion: v2");
        let _ = writeln!(out, "name: {}", quoted(&self.name));
        let _ = writeln!(out, "version: {}", self.version);
        if let Some(app) = &self.app_version {
            let _ = writeln!(out, "appVersion: {}", quoted(app));
        }
        let _ = writeln!(out, "description: {}", quoted(&self.description));
        let _ = writeln!(out, "type: application");
        let _ = writeln!(out, "kubeVersion: {}", quoted(&self.kube_version));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> ChartMetadata {
        ChartMetadata {
            api_version: "v2".to_owned(),
            name: "redis-ha".to_owned(),
            version: "0.1.0".to_owned(),
            app_version: Some("7.4.2".to_owned()),
            description: Some("Redis: \"HA\"".to_owned()),
            chart_type: Some("application".to_owned()),
            kube_version: None,
        }
    }

    #[test]
    fn versions() {
        for ok in ["1.2.3", "0.0.0-rc.1+build.5", "10.20.30"] {
            assert_eq!(check_version(ok).unwrap(), ok);
        }
        for bad in ["1.2", "v1.2.3", "01.2.3", "1.2.3.4", "", "latest"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chart_yaml_text() {
        let yaml = ChartYaml::new(&metadata(), Some("1.0.0"), None, (1, 33)).unwrap();
        assert_eq!(
            yaml.to_yaml(),
            "apiVersion: v2\nname: \"redis-ha\"\nversion: 1.0.0\nappVersion: \"7.4.2\"\ndescription: \"Redis: \\\"HA\\\"\"\ntype: application\nkubeVersion: \">=1.33.0-0\"\n"
        );
        let parsed: ChartMetadata = serde_saphyr::from_str(&yaml.to_yaml()).unwrap();
        assert_eq!(parsed.description.as_deref(), Some("Redis: \"HA\""));
        assert_eq!(parsed.app_version.as_deref(), Some("7.4.2"));
    }

    #[test]
    fn bad_source_version_is_an_error_too() {
        let mut m = metadata();
        m.version = "1.0".to_owned();
        assert!(ChartYaml::new(&m, None, None, (1, 33)).is_err());
    }
}
