//! Audited reads, several to a transaction.
//!
//! Every read of a person's or household's data is audited in the same
//! transaction as the read. Done one request at a time, that costs a write
//! transaction per page view: on SQLite the single writer's lock is handed from
//! request to request, and on PostgreSQL every view waits for the audit head's
//! row lock and a commit (a WAL flush) of its own. Page views are the most
//! frequent thing Baken does, so they share transactions instead — group commit:
//!
//! - a request hands its read to [`Db::audited`] as a job and waits;
//! - a task takes the jobs that are waiting, opens one write transaction, runs
//!   each job in it (each inside its own savepoint, so a failing job is rolled
//!   back alone), appends all their audit entries with one update of the chain's
//!   head, and commits. SQLite has one such task (it has one writer anyway);
//!   PostgreSQL has several, so that reads still run side by side on several
//!   connections and only the appends, at the very end of each transaction,
//!   take turns on the head's row lock;
//! - only then does each request get its result. A read whose transaction did
//!   not commit gets an error, never its data.
//!
//! So the invariant holds unchanged — a read and its audit entry are in one
//! transaction, and no data leaves without its entry committed — while the
//! fixed cost of a transaction is paid once per batch.

use crate::{audit, exec, Db, Pool, Result, StoreError, Tx};
use baken_domain::AuditEntry;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// A boxed future borrowing the shared transaction.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a job leaves behind: its result for the caller (type-erased), and its
/// audit entries — `None` when the job failed and its savepoint must be rolled back.
type Outcome = (Box<dyn Any + Send>, Option<Vec<AuditEntry>>);

type Run = Box<dyn for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Outcome> + Send>;

struct Job {
    run: Run,
    reply: oneshot::Sender<Result<Box<dyn Any + Send>>>,
}

/// How many tasks run batches, and how many reads at most share one transaction
/// (so that one batch cannot keep the writer's lock, or its callers, waiting long).
///
/// PostgreSQL's shape was measured with `bench/casework/run.sh` (household page,
/// 32 connections, 2 cores): 8 tasks of at most 8 reads gave 2,340 pages/s at a
/// p99 of 40 ms, 4 × 16 gave 2,820–3,020/s at 21–23 ms, 2 × 32 gave 2,690/s at
/// 23 ms. More tasks mean more transactions queueing for the audit head's row
/// lock and more backends sharing the cores; fewer leave connections idle.
///
/// That is the shape for a short queue (`core` tasks). A batch runs its reads one
/// after another on one connection, so with only four of them the batched reads
/// got four of the pool's sixteen connections however many requests waited for
/// them, while a read in its own transaction competed for all sixteen: under 200
/// connections of mixed load the queue grew to hundreds and household pages
/// waited 0.5–1 s at p50 (issue 16, item 15). So the queue is elastic: while more
/// than one full batch is waiting, another task joins (up to `max`), and such an
/// extra task ends as soon as it finds the queue empty. A short queue keeps the
/// measured best shape; a long one gets a fair share of the connections.
/// SQLite has one writer, so one task, whatever the queue.
#[derive(Debug, Clone, Copy)]
struct Shape {
    core: usize,
    max: usize,
    batch: usize,
}

fn shape(pool: &Pool) -> Shape {
    match pool {
        Pool::Sqlite(..) => Shape {
            core: 1,
            max: 1,
            batch: 64,
        },
        Pool::Postgres(..) => Shape {
            core: 4,
            // For benchmarks only: `BAKEN_BENCH_READ_TASKS=4` is the old fixed shape.
            max: std::env::var("BAKEN_BENCH_READ_TASKS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10),
            batch: 16,
        },
    }
}

/// The sending side of a database's audited-read queue, and what the tasks share.
#[derive(Debug, Clone)]
pub(crate) struct Reads {
    sender: mpsc::UnboundedSender<JobBox>,
    queue: Arc<Queue>,
}

/// `Job` is not `Debug`; the channel carries it in this wrapper.
pub(crate) struct JobBox(Job);

impl std::fmt::Debug for JobBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("audited read")
    }
}

/// The receiving side, shared by the tasks: jobs sent and not yet taken, and
/// how many tasks run.
struct Queue {
    rx: Mutex<mpsc::UnboundedReceiver<JobBox>>,
    waiting: AtomicUsize,
    tasks: AtomicUsize,
    pool: Pool,
    shape: Shape,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("waiting", &self.waiting)
            .field("tasks", &self.tasks)
            .finish()
    }
}

impl Reads {
    /// Starts the tasks that run the jobs on `pool`. They end when every clone of
    /// the sender (every clone of the `Db`) is gone.
    pub(crate) fn start(pool: Pool) -> Reads {
        let (sender, rx) = mpsc::unbounded_channel();
        let shape = shape(&pool);
        let queue = Arc::new(Queue {
            rx: Mutex::new(rx),
            waiting: AtomicUsize::new(0),
            tasks: AtomicUsize::new(shape.core),
            pool,
            shape,
        });
        for _ in 0..shape.core {
            tokio::spawn(run_batches(queue.clone(), true));
        }
        Reads { sender, queue }
    }

    fn send(&self, job: Job) -> Result<()> {
        self.queue.waiting.fetch_add(1, Ordering::AcqRel);
        if self.sender.send(JobBox(job)).is_err() {
            self.queue.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(StoreError::Batch(
                "the audited-read task has stopped".into(),
            ));
        }
        // More than a full batch waiting: another task joins, up to the maximum.
        let q = &self.queue;
        if q.waiting.load(Ordering::Acquire) > q.shape.batch {
            let joined = q
                .tasks
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < q.shape.max).then_some(n + 1)
                })
                .is_ok();
            if joined {
                tokio::spawn(run_batches(q.clone(), false));
            }
        }
        Ok(())
    }
}

/// A task's loop: take what is waiting (a core task waits for the first job; an
/// extra one ends when there is none), run it as one batch, repeat.
async fn run_batches(queue: Arc<Queue>, core: bool) {
    let max_batch = queue.shape.batch;
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    loop {
        {
            // One task at a time takes what is waiting; the others run their batches.
            let mut rx = queue.rx.lock().await;
            if core {
                let Some(JobBox(first)) = rx.recv().await else {
                    return;
                };
                batch.push(first);
            }
            while batch.len() < max_batch {
                match rx.try_recv() {
                    Ok(JobBox(job)) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        if batch.is_empty() {
            queue.tasks.fetch_sub(1, Ordering::AcqRel);
            return;
        }
        queue.waiting.fetch_sub(batch.len(), Ordering::AcqRel);
        run_batch(&queue.pool, &mut batch).await;
        batch.clear();
    }
}

/// Runs one batch. Every job's caller gets an answer, whatever fails.
async fn run_batch(pool: &Pool, batch: &mut Vec<Job>) {
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(e.shared()));
            }
            return;
        }
    };
    let mut entries: Vec<AuditEntry> = Vec::with_capacity(batch.len());
    let mut results: Vec<(oneshot::Sender<_>, Result<Box<dyn Any + Send>>)> =
        Vec::with_capacity(batch.len());
    let mut broken: Option<StoreError> = None;
    // Job `i` runs after `SAVEPOINT r{i}`. A job that succeeded leaves its savepoint
    // in place — the next one nests inside it — and one `RELEASE SAVEPOINT r0` at the
    // end folds them all into the transaction: one round trip per batch instead of
    // one per read, and the audit append below runs outside every savepoint (on
    // PostgreSQL a write inside nested savepoints takes a transaction id per level).
    let mut savepoints = 0usize;
    for job in batch.drain(..) {
        if let Some(e) = &broken {
            let _ = job.reply.send(Err(e.shared()));
            continue;
        }
        let name = savepoints;
        if let Err(e) = savepoint(&mut tx, &format!("SAVEPOINT r{name}")).await {
            let _ = job.reply.send(Err(e.shared()));
            broken = Some(e);
            continue;
        }
        savepoints += 1;
        let (value, audit) = (job.run)(&mut tx).await;
        match audit {
            Some(mut e) => {
                entries.append(&mut e);
                results.push((job.reply, Ok(value)));
            }
            None => {
                // The job failed: undo whatever it did, back to its own savepoint
                // (which stays, empty); its caller gets its own error.
                if let Err(e) = savepoint(&mut tx, &format!("ROLLBACK TO SAVEPOINT r{name}")).await
                {
                    broken = Some(e);
                }
                let _ = job.reply.send(Ok(value));
            }
        }
    }
    if broken.is_none() && savepoints > 0 {
        if let Err(e) = savepoint(&mut tx, "RELEASE SAVEPOINT r0").await {
            broken = Some(e);
        }
    }
    let committed = match broken {
        Some(e) => Err(e),
        None => match audit::append_many(&mut tx, &entries).await {
            Ok(_) => tx.commit().await,
            Err(e) => Err(e),
        },
    };
    match committed {
        Ok(()) => {
            for (reply, value) in results {
                let _ = reply.send(value);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, reads = results.len(), "a batch of audited reads did not commit");
            for (reply, _) in results {
                let _ = reply.send(Err(e.shared()));
            }
        }
    }
}

async fn savepoint(tx: &mut Tx, sql: &str) -> Result<()> {
    exec!(tx, |c| sqlx::query(sql).execute(&mut *c).await)?;
    Ok(())
}

impl Db {
    /// Runs `read` in a transaction it shares with other audited reads, appends the
    /// audit entries it returns in that same transaction, and hands back its value
    /// once the transaction has committed. An `Err` from `read` is returned as it
    /// is, with everything the read did rolled back and no audit entry of its own
    /// (so a job that must record a refusal returns `Ok` with that entry).
    ///
    /// `read` must not start a transaction of its own (it would wait for the one
    /// it runs in).
    pub async fn audited<T, E, F>(&self, read: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Result<(T, Vec<AuditEntry>), E>>
            + Send
            + 'static,
    {
        let run: Run = Box::new(move |tx: &mut Tx| -> BoxFuture<'_, Outcome> {
            Box::pin(async move {
                match read(tx).await {
                    Ok((value, entries)) => {
                        let value: Result<T, E> = Ok(value);
                        (Box::new(value) as Box<dyn Any + Send>, Some(entries))
                    }
                    Err(e) => {
                        let value: Result<T, E> = Err(e);
                        (Box::new(value) as Box<dyn Any + Send>, None)
                    }
                }
            })
        });
        let (reply, answer) = oneshot::channel();
        self.reads.send(Job { run, reply })?;
        let value = answer
            .await
            .map_err(|_| StoreError::Batch("the audited-read task has stopped".into()))??;
        match value.downcast::<Result<T, E>>() {
            Ok(v) => *v,
            Err(_) => {
                Err(StoreError::Batch("an audited read returned the wrong type".into()).into())
            }
        }
    }
}
