//! Changing a running Map Run's settings, as AWS's `UpdateMapRun` does: its
//! `MaxConcurrency` and its tolerated failures. The Map is woken at once: with more room it
//! starts waiting items (and reads more), and its failures are judged against the new
//! tolerance as soon as it is.

use super::kinds::feed;
use super::state::{Child, Execution, Frame, FramePath, MapWork, Step, Work};

/// New settings for a running Map Run; `None` keeps the current one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MapRunUpdate {
    /// How many child executions may run at once (0: as many as AWS allows, 10,000).
    pub max_concurrency: Option<u64>,
    /// How many failed items it tolerates.
    pub tolerated_failure_count: Option<u64>,
    /// The share of failed items it tolerates, in percent (0 to 100).
    pub tolerated_failure_percentage: Option<f64>,
}

impl Execution {
    /// Applies `update` to the running Map Run `map_run_arn` of the execution (or of one of
    /// its child executions) and wakes its Map. `false` when no running Map Run has that
    /// ARN: it had ended, or never ran here.
    pub fn update_map_run(&mut self, map_run_arn: &str, update: &MapRunUpdate) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        let mut path = FramePath::new();
        let found = find(&mut self.run.root, &mut path, map_run_arn).map(|map| apply(map, update)).is_some();
        if found {
            self.runnable.push_front(path);
        }
        found
    }
}

/// The running Distributed Map whose Map Run is `arn`, at or below `frame` (at `path`,
/// which is left at the Map's frame when it is found).
fn find<'f>(frame: &'f mut Frame, path: &mut FramePath, arn: &str) -> Option<&'f mut MapWork> {
    let Step::Working { work, .. } = &mut frame.step else { return None };
    let this_one = matches!(&*work, Work::Map(map) if map.distributed.as_ref().is_some_and(|d| d.map_run_arn == arn));
    if this_one {
        return match work {
            Work::Map(map) => Some(map),
            _ => None,
        };
    }
    let children = match work {
        Work::Parallel(children) => children,
        Work::Map(map) => &mut map.children,
        _ => return None,
    };
    for (index, child) in children.iter_mut().enumerate() {
        let below = match child {
            Child::Frame(frame) => frame,
            Child::Run(run) => &mut run.root,
            Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_) => continue,
        };
        path.push(u32::try_from(index).unwrap_or(u32::MAX));
        if let Some(map) = find(below, path, arn) {
            return Some(map);
        }
        path.pop();
    }
    None
}

/// Sets `map`'s new settings and marks it to be woken.
fn apply(map: &mut MapWork, update: &MapRunUpdate) {
    // A Map Run whose results are being written has no more children to run.
    if map.exporting().is_some() {
        return;
    }
    let Some(work) = map.distributed.as_mut() else { return };
    if let Some(max_concurrency) = update.max_concurrency {
        work.max_concurrency = max_concurrency;
        map.limit = match max_concurrency {
            0 => feed::MAX_CHILDREN,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
    }
    if let Some(count) = update.tolerated_failure_count {
        work.tolerance.count = Some(count);
    }
    if let Some(percentage) = update.tolerated_failure_percentage {
        work.tolerance.percentage = Some(percentage);
    }
    map.resumed = true;
}
