//! Estimates of the work of one trial beyond its failure events: the changes
//! the services' timelines hold (a service's timeline carries the changes of
//! everything it depends on, so a chain of n services holds about n² / 2
//! times one service's events), and the SLA windows measured.

use super::{Model, Target};

impl Model {
    /// The expected events of each failure process in one trial (see
    /// [`Model::expected_events_per_trial`]).
    fn process_events(&self) -> impl Iterator<Item = (Target, f64)> + '_ {
        self.processes
            .iter()
            .map(|p| (p.target, self.events_of_process(p)))
    }

    /// Per service, in model order: an estimate of the changes its timeline
    /// holds in one trial. The events of the processes that take its
    /// deployments' replicas down, plus the changes of the timelines of
    /// every service it depends on, at most the trial's events
    /// ([`Model::expected_events_per_trial`]; no timeline changes more often
    /// than the whole trial). A recovery cycle's services each count the
    /// whole cycle's.
    pub fn timeline_changes(&self) -> Vec<f64> {
        let cap = self.expected_events_per_trial();
        let own = self.own_changes();
        let mut position = vec![0; self.services.len()];
        for (k, &s) in self.topological_order.iter().enumerate() {
            position[s] = k;
        }
        let mut changes = vec![0.0; self.services.len()];
        let mut cycles = self.recovery_cycles.iter().peekable();
        let mut k = 0;
        while k < self.topological_order.len() {
            let group = match cycles.peek() {
                Some(cycle) if cycle.start == k => cycles.next().map_or(k..k + 1, Clone::clone),
                _ => k..k + 1,
            };
            let members = &self.topological_order[group.clone()];
            let mut total = 0.0;
            for &s in members {
                total += own[s];
                for dependency in &self.services[s].depends_on {
                    if !group.contains(&position[dependency.service]) {
                        total += changes[dependency.service];
                    }
                }
            }
            for &s in members {
                changes[s] = f64::min(total, cap);
            }
            k = group.end;
        }
        changes
    }

    /// The changes of a service's own deployments: the events of the
    /// processes on its replicas, its deployments, itself and the domains
    /// its replicas run in (each domain once per deployment).
    fn own_changes(&self) -> Vec<f64> {
        let mut by_domain = vec![0.0; self.domains.len()];
        let mut by_service = vec![0.0; self.services.len()];
        let mut by_deployment = vec![0.0; self.deployments.len()];
        for (target, events) in self.process_events() {
            match target {
                Target::Domain(x) => by_domain[x] += events,
                Target::Service(s) => by_service[s] += events,
                Target::Deployment(d) => by_deployment[d] += events,
                Target::Replica(r) => by_deployment[self.replicas[r].deployment] += events,
                Target::Group(g) => {
                    for &t in &self.groups[g].targets {
                        match t {
                            Target::Domain(x) => by_domain[x] += events,
                            Target::Service(s) => by_service[s] += events,
                            Target::Deployment(d) => by_deployment[d] += events,
                            Target::Replica(r) => {
                                by_deployment[self.replicas[r].deployment] += events;
                            }
                            Target::Group(_) => {}
                        }
                    }
                }
            }
        }
        let mut domains = Vec::new();
        let mut own = vec![0.0; self.services.len()];
        for (d, deployment) in self.deployments.iter().enumerate() {
            domains.clear();
            for r in deployment.replicas.clone() {
                domains.extend(self.domain_chain(self.replicas[r].domain));
            }
            domains.sort_unstable();
            domains.dedup();
            let s = deployment.service;
            own[s] += by_deployment[d]
                + by_service[s]
                + domains.iter().map(|&x| by_domain[x]).sum::<f64>();
        }
        for (s, changes) in own.iter_mut().enumerate() {
            *changes += self.demand_changes(s);
        }
        own
    }

    /// The changes of service `s`'s demand that its routing follows in one
    /// trial: each change of its traffic curve's weight from one hour to the
    /// next, every day, when one of its deployments has a capacity (0
    /// otherwise: the curve then only weights the loss).
    pub fn demand_changes(&self, s: usize) -> f64 {
        let service = &self.services[s];
        let capped =
            (service.deployments.clone()).any(|d| self.deployments[d].capacity.is_finite());
        let Some(traffic) = service.traffic.as_ref().filter(|_| capped) else {
            return 0.0;
        };
        let per_day = (0..24)
            .filter(|&h| traffic.hourly[h] != traffic.hourly[(h + 23) % 24])
            .count() as f64;
        per_day * (self.horizon / 24.0 + 1.0)
    }

    /// The SLA windows of service `s` in one trial (0 without an SLA): the
    /// credits are measured window by window.
    pub fn sla_windows(&self, s: usize) -> f64 {
        self.services[s]
            .sla
            .as_ref()
            .map_or(0.0, |sla| (self.horizon / sla.window).ceil())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// `n` services in a chain (see [`crate::test_scenarios::chain`]).
    fn chain(n: usize) -> crate::model::Model {
        crate::test_scenarios::chain(n, "1y")
    }

    #[test]
    fn a_chain_counts_the_changes_of_everything_upstream() {
        let model = chain(10);
        let changes = model.timeline_changes();
        // one process of 2 * (1 + 1) expected events per service
        let s9 = model.service_by_name("s9").unwrap();
        assert_eq!(changes[s9], 40.0);
        let total: f64 = changes.iter().sum();
        assert_eq!(total, 4.0 * (1..=10).sum::<usize>() as f64);
    }

    #[test]
    fn no_timeline_counts_more_changes_than_the_trial_has_events() {
        let model = chain(100);
        let cap = model.expected_events_per_trial();
        assert!(model.timeline_changes().iter().all(|&c| c <= cap));
        assert_eq!(
            model.timeline_changes().iter().copied().fold(0.0, f64::max),
            cap
        );
    }
}
