//! `pseudonymise` shuffles in bounded memory: rows go to random buckets (spilled to
//! an anonymous temporary file), each bucket is shuffled on its own. The output is a
//! permutation of the input's rows, no temporary file survives, the number of rows
//! held at once stays within the configured budget, and every order is equally likely.

use std::collections::BTreeMap;
use std::path::Path;

use baken_monitor::{
    pseudonymise_with, write_atomically, InputConfig, MonitorError, Organisation, ShuffleOptions,
};

use crate::common::*;

/// `rows` rows with distinct provisions `V0`, `V1`, …, addresses cycling over 5,000.
fn region(rows: usize) -> String {
    let mut s = String::from(
        "clientnummer;postcode;huisnummer;huisletter;buurtcode;domein;voorziening;periode\n",
    );
    for i in 0..rows {
        let postcode = 1000 + (i % 5000) / 10;
        let spelling = ["AB", " ab", "aB", " AB"][i % 4];
        s.push_str(&format!(
            "{};{postcode}{spelling};{};{};BU9999{:04};wmo;V{i};2025-{:02}\n",
            900_000 + i,
            1 + i % 10,
            if i % 7 == 0 { "a" } else { "" },
            i % 100,
            1 + i % 12,
        ));
    }
    s
}

fn small_buckets(dir: &Path) -> ShuffleOptions {
    ShuffleOptions {
        temp_dir: Some(dir.to_path_buf()),
        buckets: 4,
        bucket_buffer: 1024,
        max_rows_in_memory: 200,
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn lines(csv: &[u8]) -> Vec<String> {
    String::from_utf8(csv.to_vec())
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_large_file_is_shuffled_in_bounded_memory_into_a_permutation_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 20_000;
    let input = region(rows);
    let org = Organisation::parse("Wmo-loket").unwrap();
    let config = InputConfig::default();
    let options = small_buckets(dir.path());
    let p = pseudonymise_with(
        input.as_bytes(),
        "in.csv",
        &key(),
        &org,
        &config,
        &options,
        &mut rng(5),
    )
    .unwrap();
    assert_eq!(p.len(), rows);
    let mut out = Vec::new();
    let stats = p.write_csv_with_stats(&mut out, &mut rng(6)).unwrap();
    let shuffled = lines(&out);

    // The same rows as the reference: the whole file shuffled in memory at once.
    let everything_in_memory = ShuffleOptions {
        temp_dir: Some(dir.path().to_path_buf()),
        max_rows_in_memory: rows,
        ..ShuffleOptions::default()
    };
    let reference = pseudonymise_with(
        input.as_bytes(),
        "in.csv",
        &key(),
        &org,
        &config,
        &everything_in_memory,
        &mut rng(7),
    )
    .unwrap();
    let mut reference_out = Vec::new();
    let reference_stats = reference
        .write_csv_with_stats(&mut reference_out, &mut rng(8))
        .unwrap();
    assert_eq!(reference_stats.bucket_files, 0);
    let mut sorted = shuffled.clone();
    sorted.sort();
    let mut expected = lines(&reference_out);
    expected.sort();
    assert_eq!(sorted.len(), rows);
    assert_eq!(sorted, expected, "the output is a permutation of the rows");

    // Every provision V0…V{rows-1} exactly once, and not in the input's order.
    let order: Vec<usize> = shuffled
        .iter()
        .map(|l| l.split(',').nth(4).unwrap()[1..].parse().unwrap())
        .collect();
    let mut seen = order.clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..rows).collect::<Vec<_>>());
    let in_place = order.iter().enumerate().filter(|(i, v)| i == *v).count();
    assert!(in_place < 20, "{in_place} rows kept their place");
    let rising = order.windows(2).filter(|w| w[0] < w[1]).count();
    assert!(
        (rows * 2 / 5..rows * 3 / 5).contains(&rising),
        "{rising} of {rows} neighbours in rising order"
    );

    // Memory: the buckets were split again (20,000 rows > 4 buckets x 200), bucket
    // files were used, and the rows held at once stayed within the budget: at most
    // 200 being shuffled plus what fits in 4 buffers of 1 KiB (a bucket row is at
    // least 34 bytes).
    assert_eq!(stats.rows, rows as u64);
    assert!(stats.levels >= 3, "{stats:?}");
    assert!(stats.bucket_files >= 4, "{stats:?}");
    let buffered = 4 * 1024 / 34;
    assert!(
        stats.peak_rows_in_memory <= 200 + buffered,
        "{stats:?} held more than the budget"
    );
    assert!(stats.peak_rows_in_memory < rows as u64 / 50, "{stats:?}");
    assert!(
        stats.peak_bytes_in_memory <= 4 * 1024 + 200 * (600 + 8),
        "{stats:?}"
    );
    // The reference held every row at once.
    assert!(reference_stats.peak_rows_in_memory >= rows as u64);

    // The buckets' temporary files were anonymous: nothing is left in their directory.
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

#[test]
fn no_temporary_file_remains_after_success_or_failure() {
    let dir = tempfile::tempdir().unwrap();
    let good = region(5_000);
    let mut bad = good.clone();
    bad.push_str("1;1234AB;0;;BU99990001;wmo;V;2025\n");
    let input_good = write(dir.path(), "good.csv", good.as_bytes());
    let input_bad = write(dir.path(), "bad.csv", bad.as_bytes());
    let out = dir.path().join("out.csv");
    let org = Organisation::parse("Wmo-loket").unwrap();
    let options = small_buckets(dir.path());

    // The library, as the command line uses it: buckets next to the output, then a
    // temporary output renamed into place.
    let run = |input: &Path| -> Result<(), MonitorError> {
        let p = pseudonymise_with(
            std::fs::File::open(input).unwrap(),
            "in.csv",
            &key(),
            &org,
            &InputConfig::default(),
            &options,
            &mut rng(1),
        )?;
        write_atomically(&out, false, |w| {
            let stats =
                p.write_csv_with_stats(w, &mut rng(2))
                    .map_err(|source| MonitorError::Write {
                        path: "out.csv".into(),
                        source,
                    })?;
            assert!(stats.bucket_files > 0, "{stats:?}");
            Ok(())
        })
    };
    run(&input_good).unwrap();
    assert_eq!(names_in(dir.path()), ["bad.csv", "good.csv", "out.csv"]);
    assert_eq!(lines(&std::fs::read(&out).unwrap()).len(), 5_000);
    std::fs::remove_file(&out).unwrap();

    let err = run(&input_bad).unwrap_err().to_string();
    assert!(err.contains("in.csv:5002: huisnummer:"), "{err}");
    assert_eq!(names_in(dir.path()), ["bad.csv", "good.csv"]);

    // The command line, with its default buckets (64 MiB of buffers, so these
    // 90,000 rows stay in memory; spilling is covered above): nothing but the output
    // appears in its directory, and nothing at all on error.
    let big = region(90_000);
    let mut big_bad = big.clone();
    big_bad.push_str("1;1234AB;1;;BU99990001;zorg;V;2025\n");
    let key_file = dir.path().join("monitor.key");
    cli(&["keygen", "--out", key_file.to_str().unwrap()]).unwrap();
    let input_big = write(dir.path(), "big.csv", big.as_bytes());
    let input_big_bad = write(dir.path(), "big-bad.csv", big_bad.as_bytes());
    let before = names_in(dir.path());
    let args = |input: &Path| {
        vec![
            "pseudonymise".to_owned(),
            "--key".into(),
            key_file.to_str().unwrap().into(),
            "--org".into(),
            "Wmo-loket".into(),
            input.to_str().unwrap().into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ]
    };
    let err = cli(&args(&input_big_bad)).unwrap_err().to_string();
    assert!(err.contains(":90002: domein:"), "{err}");
    assert_eq!(names_in(dir.path()), before);
    cli(&args(&input_big)).unwrap();
    let mut after = before.clone();
    after.push("out.csv".into());
    after.sort();
    assert_eq!(names_in(dir.path()), after);
    assert_eq!(lines(&std::fs::read(&out).unwrap()).len(), 90_000);
}

#[test]
fn every_order_is_equally_likely() {
    // Four rows, two buckets, one row shuffled at a time: the order comes from the
    // bucket draws alone, split again and again. Each of the 24 orders should come up
    // about 100 times in 2,400 runs (seeded, so the test is repeatable).
    let dir = tempfile::tempdir().unwrap();
    let input = region(4);
    let org = Organisation::parse("Wmo-loket").unwrap();
    let options = ShuffleOptions {
        temp_dir: Some(dir.path().to_path_buf()),
        buckets: 2,
        bucket_buffer: 0,
        max_rows_in_memory: 1,
    };
    let mut counts: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for seed in 0..2_400 {
        let p = pseudonymise_with(
            input.as_bytes(),
            "in.csv",
            &key(),
            &org,
            &InputConfig::default(),
            &options,
            &mut rng(seed),
        )
        .unwrap();
        let mut out = Vec::new();
        p.write_csv(&mut out, &mut rng(seed + 1_000_000)).unwrap();
        let order: Vec<String> = lines(&out)
            .iter()
            .map(|l| l.split(',').nth(4).unwrap().to_owned())
            .collect();
        *counts.entry(order).or_default() += 1;
    }
    assert_eq!(counts.len(), 24, "{counts:?}");
    for (order, n) in &counts {
        // 100 expected, standard deviation about 10.
        assert!((55..=145).contains(n), "{order:?} came up {n} times");
    }
}
