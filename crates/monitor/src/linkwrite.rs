//! Writing the linked file: a Parquet file whose column chunks are encoded on several
//! threads at once, byte for byte the file that `parquet`'s `ArrowWriter` writes.
//!
//! One thread builds the record batches; each encoder thread (a *lane*) owns some of
//! the columns and encodes its columns of every batch, in order; the calling thread
//! appends each row group's finished column chunks to the file in column order. Every
//! column writer sees exactly the writes `ArrowWriter` would give it (the batches cut
//! at the same row-group boundaries), so the pages, dictionaries, statistics and
//! footer are the same: only who encodes which column changes.

use std::io::Write;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory,
};
use parquet::arrow::ArrowWriter;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;

use crate::cputime::thread_cpu;

/// What the batch builder tells each lane.
enum Msg {
    Batch(Arc<RecordBatch>),
    /// The row group is complete: close the columns and hand over their chunks.
    EndGroup,
}

/// A lane's finished column chunks of one row group, with their column indices.
type Chunks = Result<Vec<(usize, ArrowColumnChunk)>, ParquetError>;

/// Batches in flight per lane.
const QUEUE: usize = 4;

/// Writes the batches that `produce` hands to its callback (which returns `false` when
/// writing has failed, and then `produce` should stop) as one Parquet file with
/// `schema` and `props`, in row groups of `props`' maximum row count. `lanes` lists
/// the columns (by index) each encoder thread encodes; every column must be in exactly
/// one lane, and every column must be a single Parquet leaf (flat or a list of
/// primitives). `produce` runs on a thread of its own. Returns the CPU time of the
/// builder thread, then of each lane.
pub(crate) fn write_parallel<W, P>(
    out: W,
    schema: SchemaRef,
    props: WriterProperties,
    lanes: &[&[usize]],
    produce: P,
) -> Result<Vec<Duration>, ParquetError>
where
    W: Write + Send,
    P: FnOnce(&mut dyn FnMut(RecordBatch) -> bool) -> Result<(), ArrowError> + Send,
{
    let columns = schema.fields().len();
    let mut owner = vec![usize::MAX; columns];
    for (lane, fields) in lanes.iter().enumerate() {
        for &f in *fields {
            if f >= columns || owner[f] != usize::MAX {
                return Err(ParquetError::General(format!(
                    "column {f} is not a column, or is in two lanes"
                )));
            }
            owner[f] = lane;
        }
    }
    if owner.contains(&usize::MAX) {
        return Err(ParquetError::General("a column is in no lane".into()));
    }
    let group_rows = props.max_row_group_row_count().unwrap_or(usize::MAX);
    if props.max_row_group_bytes().is_some() {
        return Err(ParquetError::General(
            "row groups limited by size are not supported".into(),
        ));
    }
    // `ArrowWriter` adds the encoded Arrow schema to the file's metadata, as before.
    let writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
    let (mut file, factory) = writer.into_serialized_writer()?;
    let factory = &factory;
    let schema = &schema;
    let result = std::thread::scope(|scope| -> Result<Vec<Duration>, ParquetError> {
        let mut to_lanes = Vec::with_capacity(lanes.len());
        let mut from_lanes = Vec::with_capacity(lanes.len());
        let mut encoders = Vec::with_capacity(lanes.len());
        for fields in lanes {
            let (tx, rx) = mpsc::sync_channel::<Msg>(QUEUE);
            let (chunks_tx, chunks_rx) = mpsc::channel::<Chunks>();
            to_lanes.push(tx);
            from_lanes.push(chunks_rx);
            encoders.push(scope.spawn(move || encode_lane(factory, schema, fields, rx, chunks_tx)));
        }
        let builder = scope.spawn(move || {
            let begin = thread_cpu();
            feed(to_lanes, group_rows, produce).map(|()| thread_cpu() - begin)
        });
        let appended = (|| -> Result<(), ParquetError> {
            loop {
                let mut chunks: Vec<Option<ArrowColumnChunk>> =
                    (0..columns).map(|_| None).collect();
                for from in &from_lanes {
                    match from.recv() {
                        Ok(Ok(list)) => {
                            for (i, c) in list {
                                chunks[i] = Some(c);
                            }
                        }
                        Ok(Err(e)) => return Err(e),
                        // Every lane has ended: no row group is left.
                        Err(_) => return Ok(()),
                    }
                }
                let mut group = file.next_row_group()?;
                for c in chunks {
                    let c =
                        c.ok_or_else(|| ParquetError::General("a lane left out a column".into()))?;
                    c.append_to_row_group(&mut group)?;
                }
                group.close()?;
            }
        })();
        // Dropping the receivers stops the lanes and then the builder if this failed.
        drop(from_lanes);
        let built = match builder.join() {
            Ok(r) => r.map_err(ParquetError::from),
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let mut threads = Vec::with_capacity(1 + lanes.len());
        for e in encoders {
            match e.join() {
                Ok(cpu) => threads.push(cpu),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        appended?;
        threads.insert(0, built?);
        Ok(threads)
    });
    let threads = result?;
    file.close()?;
    Ok(threads)
}

/// Runs `produce` and hands its batches to every lane, cut at the row-group
/// boundaries, as `ArrowWriter::write` cuts them.
fn feed<P>(to_lanes: Vec<SyncSender<Msg>>, group_rows: usize, produce: P) -> Result<(), ArrowError>
where
    P: FnOnce(&mut dyn FnMut(RecordBatch) -> bool) -> Result<(), ArrowError>,
{
    let mut in_group = 0usize;
    let broadcast = |to_lanes: &[SyncSender<Msg>], msg: &dyn Fn() -> Msg| {
        to_lanes.iter().all(|tx| tx.send(msg()).is_ok())
    };
    let mut send = |mut batch: RecordBatch| -> bool {
        while batch.num_rows() > 0 {
            let take = (group_rows - in_group).min(batch.num_rows());
            let part = Arc::new(batch.slice(0, take));
            batch = batch.slice(take, batch.num_rows() - take);
            if !broadcast(&to_lanes, &|| Msg::Batch(part.clone())) {
                return false;
            }
            in_group += take;
            if in_group == group_rows {
                in_group = 0;
                if !broadcast(&to_lanes, &|| Msg::EndGroup) {
                    return false;
                }
            }
        }
        true
    };
    let result = produce(&mut send);
    if result.is_ok() && in_group > 0 {
        broadcast(&to_lanes, &|| Msg::EndGroup);
    }
    result
}

/// One lane: encodes its columns of each batch; at the end of a row group sends the
/// finished chunks. Returns its CPU time.
fn encode_lane(
    factory: &ArrowRowGroupWriterFactory,
    schema: &SchemaRef,
    fields: &[usize],
    rx: Receiver<Msg>,
    chunks: Sender<Chunks>,
) -> Duration {
    let begin = thread_cpu();
    let mut group = 0usize;
    let mut writers: Option<Vec<(usize, ArrowColumnWriter)>> = None;
    for msg in rx {
        let step = (|| -> Result<Option<Vec<(usize, ArrowColumnChunk)>>, ParquetError> {
            match msg {
                Msg::Batch(batch) => {
                    let ws = match &mut writers {
                        Some(ws) => ws,
                        None => writers.insert(lane_writers(factory, schema, fields, group)?),
                    };
                    for (i, w) in ws.iter_mut() {
                        for leaf in compute_leaves(schema.field(*i), batch.column(*i))? {
                            w.write(&leaf)?;
                        }
                    }
                    Ok(None)
                }
                Msg::EndGroup => {
                    group += 1;
                    writers
                        .take()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(i, w)| Ok((i, w.close()?)))
                        .collect::<Result<Vec<_>, ParquetError>>()
                        .map(Some)
                }
            }
        })();
        match step {
            Ok(None) => {}
            Ok(Some(done)) => {
                if chunks.send(Ok(done)).is_err() {
                    break;
                }
            }
            Err(e) => {
                let _ = chunks.send(Err(e));
                break;
            }
        }
    }
    thread_cpu() - begin
}

/// The column writers of this lane's columns for row group `group`.
fn lane_writers(
    factory: &ArrowRowGroupWriterFactory,
    schema: &SchemaRef,
    fields: &[usize],
    group: usize,
) -> Result<Vec<(usize, ArrowColumnWriter)>, ParquetError> {
    let all = factory.create_column_writers(group)?;
    if all.len() != schema.fields().len() {
        return Err(ParquetError::General(
            "a column with more than one Parquet leaf".into(),
        ));
    }
    Ok(all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| fields.contains(i))
        .collect())
}
