//! Control-plane failures (`effect: ControlPlane`): they take nothing down,
//! but while an occurrence is in effect nothing under its target can be
//! relaunched or switched to. An outage of a replica under it that would end
//! stays down until the occurrence ends, and so does an outage of its
//! deployment or of a service one of whose deployments is under it; an
//! ActivePassive or Manual switch to a deployment under it completes no
//! sooner. Each stretch an outage or a switch is held beyond its own end is
//! recorded with the occurrence that held it: the attribution gives that
//! stretch's loss to that occurrence alone.

use super::plan::{Members, Plan};
use super::Workspace;

/// A control-plane process that can hold outages of one deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Hold {
    /// Index into `Model::processes`.
    pub process: u32,
    /// The deployment's replicas under its target (`All` when it targets
    /// the deployment or its service, or covers every replica).
    pub members: Members,
    /// Whether it covers a replica of the deployment; otherwise it covers
    /// only another deployment of the service, and holds only the outages
    /// of the service as a whole.
    pub direct: bool,
}

/// A stretch during which an occurrence held a deployment's outage (or a
/// switch of a service) beyond its own end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Held {
    /// When the outage (or switch) would have ended.
    pub start: f64,
    /// When the occurrence ended.
    pub end: f64,
    /// The deployment held (for a switch: the deployment switched to).
    pub deployment: u32,
    /// The control-plane occurrence.
    pub occurrence: u32,
}

/// What a held outage is: which replica of the deployment, and whether the
/// outage is one of the whole service.
#[derive(Debug, Clone, Copy)]
pub struct Outage {
    /// The deployment.
    pub deployment: usize,
    /// The replica's index within it.
    pub replica: u32,
    /// An outage of the service as a whole (held by an occurrence on any of
    /// its deployments).
    pub service: bool,
}

/// Whether `hold` covers replica `local` of its deployment.
#[inline]
fn covers(plan: &Plan, hold: &Hold, local: u32) -> bool {
    match &hold.members {
        Members::All => true,
        Members::Some(r) => plan.members[r.start as usize..r.end as usize]
            .binary_search(&local)
            .is_ok(),
    }
}

/// The time at which an outage that would end at `end` actually ends: while
/// an occurrence holding it is in effect, it waits for that occurrence's
/// end. Each stretch held goes to `record`, when given.
pub fn held_end(
    plan: &Plan,
    outage: Outage,
    end: f64,
    ws: &Workspace,
    mut record: Option<&mut Vec<Held>>,
) -> f64 {
    let holds = plan.deployment_holds[outage.deployment].clone();
    let mut x = end;
    loop {
        let mut moved = false;
        for hold in &plan.holds[holds.start as usize..holds.end as usize] {
            let applies = if hold.direct {
                outage.service || covers(plan, hold, outage.replica)
            } else {
                outage.service
            };
            if !applies {
                continue;
            }
            if let Some((until, occurrence)) = Outages::of(ws).in_effect(hold.process as usize, x) {
                if let Some(out) = record.as_deref_mut() {
                    out.push(Held {
                        start: x,
                        end: until,
                        deployment: outage.deployment as u32,
                        occurrence,
                    });
                }
                x = until;
                moved = true;
            }
        }
        if !moved {
            return x;
        }
    }
}

/// The outages of the processes at hand, as the workspace holds them.
#[derive(Debug, Clone, Copy)]
pub struct Outages<'a> {
    /// All outages at hand, grouped by process.
    pub outages: &'a [(f64, f64)],
    /// Each process's range in `outages`.
    pub ranges: &'a [std::ops::Range<usize>],
    /// Each process's first occurrence id.
    pub first: &'a [usize],
}

impl<'a> Outages<'a> {
    /// The view of `ws`.
    pub fn of(ws: &'a Workspace) -> Outages<'a> {
        Outages {
            outages: &ws.outages,
            ranges: &ws.process_outages,
            first: &ws.process_first,
        }
    }

    /// The occurrence of process `p` in effect at `t` (started by `t`, not
    /// yet ended): its end and its id.
    #[inline]
    pub fn in_effect(&self, p: usize, t: f64) -> Option<(f64, u32)> {
        let outages = &self.outages[self.ranges[p].clone()];
        let k = outages.partition_point(|o| o.0 <= t);
        let (_, until) = *outages.get(k.checked_sub(1)?)?;
        (t < until).then(|| (until, (self.first[p] + k - 1) as u32))
    }
}

/// What holds the switches of one ActivePassive or Manual service.
pub struct Switches<'a> {
    /// The plan (its holds).
    pub plan: &'a Plan,
    /// The control-plane outages.
    pub outages: Outages<'a>,
    /// The id of the service's first deployment.
    pub first: usize,
    /// Where the stretches held go.
    pub held: &'a mut Vec<Held>,
}

impl Switches<'_> {
    /// A switch to the service's deployment `k` that would complete at `t`:
    /// when an occurrence on a replica of it is in effect, records the
    /// stretch it holds the switch and returns its end.
    pub fn held_until(&mut self, k: usize, t: f64) -> Option<f64> {
        let d = self.first + k;
        let holds = self.plan.deployment_holds[d].clone();
        let (until, occurrence) = (self.plan.holds[holds.start as usize..holds.end as usize])
            .iter()
            .filter(|hold| hold.direct)
            .filter_map(|hold| self.outages.in_effect(hold.process as usize, t))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))?;
        self.held.push(Held {
            start: t,
            end: until,
            deployment: d as u32,
            occurrence,
        });
        Some(until)
    }
}
