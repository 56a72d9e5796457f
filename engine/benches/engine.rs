//! Engine throughput in simulated events per second (divan reports
//! items/s). `cargo bench -p mqlab-engine`.
//!
//! - `peak_shaving_defaults`: the 100,000-message burst drained through a
//!   queue (~801,000 events), building the simulation inside the timing.
//! - `peak_shaving_event_loop`: the same run, event loop only.
//! - `peak_shaving_no_queue`: the burst straight at the database (~302,000
//!   events, mostly refusals).

#[cfg(not(target_arch = "wasm32"))]
mod benches {
    use divan::counter::ItemsCount;
    use divan::Bencher;
    use mqlab_engine::scenario::find;
    use mqlab_engine::{run_builtin, Sim};

    fn settings(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Events in one run to idle (the counter for items/s).
    fn events(kv: &[(&str, &str)]) -> u64 {
        run_builtin("peak-shaving", 1, &settings(kv))
            .unwrap()
            .events_processed()
    }

    #[divan::bench(sample_count = 20)]
    fn peak_shaving_defaults(bencher: Bencher) {
        bencher.counter(ItemsCount::new(events(&[]))).bench(|| {
            run_builtin("peak-shaving", 1, &[])
                .unwrap()
                .events_processed()
        });
    }

    #[divan::bench(sample_count = 20)]
    fn peak_shaving_event_loop(bencher: Bencher) {
        let def = find("peak-shaving").unwrap();
        let spec = (def.build)(&def.defaults());
        bencher
            .counter(ItemsCount::new(events(&[])))
            .with_inputs(|| Sim::new(&spec, 1).unwrap())
            .bench_local_values(|mut sim| {
                sim.run_until_idle(spec.horizon_us);
                sim
            });
    }

    #[divan::bench(sample_count = 20)]
    fn peak_shaving_no_queue(bencher: Bencher) {
        let kv = [("queue", "off")];
        bencher.counter(ItemsCount::new(events(&kv))).bench(|| {
            run_builtin("peak-shaving", 1, &settings(&kv))
                .unwrap()
                .events_processed()
        });
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    divan::main();
}
