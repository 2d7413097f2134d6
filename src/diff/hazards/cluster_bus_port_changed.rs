//! `cluster-bus-port-changed`.

use super::{Check, Context, Finding, hazard, is_cluster, redis_directive};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change of the Redis Cluster bus port (`cluster-port`, `cluster.busPort`).
    ///
    /// ## Why is this bad?
    ///
    /// The nodes talk to each other on the bus port, and each keeps its peers' bus ports in
    /// `nodes.conf`. A rolling upgrade restarts one pod at a time: a restarted node listens
    /// on the new port while its peers still know the old one (and the NetworkPolicy may
    /// already admit only the new one), so it is marked failing and failovers start in the
    /// middle of the rollout.
    ///
    /// ## Example
    ///
    /// `cluster.busPort` goes from 16379 to 16380.
    ///
    /// ## What to do
    ///
    /// Keep the bus port. If it must change, do it in a maintenance window with every pod
    /// restarted at once (scale the StatefulSet to 0 and back), so every node announces the
    /// new port together.
    pub struct ClusterBusPortChanged = "cluster-bus-port-changed", Error;
}

/// The bus port on a side: `cluster-port`, else Redis' default (the data port + 10000).
fn bus_port(cx: &Context<'_>, new_side: bool) -> Option<u32> {
    if !is_cluster(cx, new_side) {
        return None;
    }
    let port = |name| {
        redis_directive(cx, new_side, name)
            .and_then(|(_, w)| w.first().and_then(|p| p.parse::<u32>().ok()))
    };
    port("cluster-port")
        .filter(|p| *p != 0)
        .or_else(|| port("port").map(|p| p + 10000))
}

impl Check for ClusterBusPortChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let (Some(before), Some(after)) = (bus_port(cx, false), bus_port(cx, true)) else {
            return;
        };
        if before == after {
            return;
        }
        let Some((key, _)) = redis_directive(cx, true, "cluster-enabled") else {
            return;
        };
        found.push(self.finding(
            key,
            format!(
                "the cluster bus moves from port {before} to {after}: during the rolling upgrade restarted nodes and their peers disagree on it, nodes are marked failing and failovers start"
            ),
            vec![
                "keep the bus port (cluster.busPort)".to_owned(),
                "otherwise: a maintenance window, every pod restarted at once (scale the StatefulSet to 0 and back)".to_owned(),
            ],
        ));
    }
}
