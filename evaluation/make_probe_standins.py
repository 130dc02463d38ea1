"""Recreate the data stand-ins of the real-script probe corpus (evaluation/corpus/probe/<name>/).

The corpus is third-party code and git-ignored; SOURCES.md ("Probe corpus") lists, per entry, the files taken
verbatim from each repository at a commit. A few entries also need data their repository does not ship (or ships
under another name); the table's "changes" column says what we put there instead. This script makes exactly those
stand-ins, after the verbatim files have been collected, so that the next rebuild gives the same bytes:

    python evaluation/make_probe_standins.py            # or --corpus PATH for another checkout's corpus

Generated data use numpy's default_rng(0), one generator per stand-in, so each file is reproducible on its own.
Copies are made from files already collected into the corpus (the source must exist; the script says which is
missing). Existing stand-ins are overwritten. Data taken verbatim from another repository (the PRSA CSV of
eric_pm25_nan_epoch_loop) is collected like any other file, not made here.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus" / "probe"
SEED = 0


def bielos_additions(corpus: Path) -> list[Path]:
    """additions.csv (question,answer): 2000 random a+b with a, b < 10000, the question padded to 9 characters
    and reversed, the answer padded to 5: the layout load_data.py reads (the keras addition_rnn example's
    encoding with DIGITS=4, REVERSE=True). The repository lists additions.csv but does not store its content."""
    rng = np.random.default_rng(SEED)
    digits, maxlen = 4, 4 + 1 + 4
    out = corpus / "bielos_addition_seq2seq" / "additions.csv"
    a = rng.integers(0, 10 ** digits, size=2000)
    b = rng.integers(0, 10 ** digits, size=2000)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["question", "answer"])
        for x, y in zip(a.tolist(), b.tolist()):
            question = f"{x}+{y}"
            question = (question + " " * (maxlen - len(question)))[::-1]
            answer = str(x + y)
            answer += " " * (digits + 1 - len(answer))
            writer.writerow([question, answer])
    return [out]


def sanot_scenes(corpus: Path) -> list[Path]:
    """scenes.npy float32 uniform [0, 1) of shape (20, 16, 84, 84, 3) and acts.npy (20, 16, 2), the shapes the
    script's slicing (scenes[:, :15], scenes[:, 1:16]) and its comment on acts imply."""
    folder = corpus / "sanot_convlstm_scenes"
    rng = np.random.default_rng(SEED)
    scenes = rng.random((20, 16, 84, 84, 3), dtype=np.float32)
    acts = rng.random((20, 16, 2), dtype=np.float32)
    np.save(folder / "scenes.npy", scenes)
    np.save(folder / "acts.npy", acts)
    return [folder / "scenes.npy", folder / "acts.npy"]


def kamran_weather(corpus: Path) -> list[Path]:
    """your_data_file.csv (the name weather.py reads) = the repository's large_weather_data.csv with its header
    line lower-cased (Humidity,Pressure,Temperature -> the column names the script uses); data rows verbatim."""
    folder = corpus / "kamran_weather_stacked_lstm"
    raw = _source(folder / "large_weather_data.csv").read_bytes()
    header, newline, rest = raw.partition(b"\n")
    out = folder / "your_data_file.csv"
    out.write_bytes(header.lower() + newline + rest)
    return [out]


def uoh_load_copy(corpus: Path) -> list[Path]:
    """Final_Train/Load_Data.csv: a copy of the repository's Train_Test/Load_Data.csv beside Load_Train.py."""
    folder = corpus / "uoh_load_unscaled_lstm"
    return [_copy(folder / "Train_Test" / "Load_Data.csv", folder / "Final_Train" / "Load_Data.csv")]


def liuwei_shakespeare(corpus: Path) -> list[Path]:
    """shakespeare.txt beside shakespeare_utils.py, copied from fatihkaratay/Shakespeare_lang_model (the same
    Coursera corpus, collected as fatih_shakespeare_nofit_nb). The pre-trained model the utils load is not made."""
    target = (corpus / "liuwei_shakespeare_char_lstm" / "5_1" / "dinosaur-island-character-level-language-model"
              / "shakespeare.txt")
    return [_copy(corpus / "fatih_shakespeare_nofit_nb" / "shakespeare.txt", target)]


def birkbeck_household_power(corpus: Path) -> list[Path]:
    """data/household_power_consumption.txt for both birkbeck_power_lstm_* entries: the layout of the UCI
    "Individual household electric power consumption" file that model.py reads (and the repository git-ignores):
    `;`-separated, header Date;Time;Global_active_power;Global_reactive_power;Voltage;Global_intensity;
    Sub_metering_1;Sub_metering_2;Sub_metering_3, one row a minute, Date d/m/yyyy and Time hh:mm:ss, starting
    16/12/2006 17:24:00 as the real file does, 90 days (129,600 rows). Global_active_power (kW, 3 decimals) is a
    base 0.3 plus a morning (08:00) and an evening (19:00) bump of 1.2 and 2.0 kW and gamma(2, 0.25) noise (mean
    about 1.1 kW, the real file's level); 1.25% of the rows (whole rows, as in the real file) are "?"."""
    rng = np.random.default_rng(SEED)
    minutes = 90 * 24 * 60
    start = np.datetime64("2006-12-16T17:24")
    stamps = start + np.arange(minutes).astype("timedelta64[m]")
    hour = (stamps - stamps.astype("datetime64[D]")).astype("timedelta64[m]").astype(int) / 60.0
    gap = (0.3 + 1.2 * np.exp(-((hour - 8.0) ** 2) / 2.0) + 2.0 * np.exp(-((hour - 19.0) ** 2) / 4.0)
           + rng.gamma(2.0, 0.25, size=minutes))
    reactive = rng.uniform(0.0, 0.3, size=minutes)
    voltage = 240.0 + rng.normal(0.0, 3.0, size=minutes)
    intensity = gap * 4.2
    sub = rng.integers(0, 3, size=(minutes, 3)) * np.array([1, 1, 17])
    missing = rng.random(minutes) < 0.0125
    out = corpus / "birkbeck_power_lstm_train" / "data" / "household_power_consumption.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    days = stamps.astype("datetime64[D]").astype(object)
    times = stamps.astype(object)
    with out.open("w", newline="", encoding="utf-8") as handle:
        handle.write("Date;Time;Global_active_power;Global_reactive_power;Voltage;Global_intensity;"
                     "Sub_metering_1;Sub_metering_2;Sub_metering_3\n")
        for i in range(minutes):
            date = f"{days[i].day}/{days[i].month}/{days[i].year}"
            clock = times[i].strftime("%H:%M:%S")
            if missing[i]:
                handle.write(f"{date};{clock};?;?;?;?;?;?;\n")
            else:
                handle.write(f"{date};{clock};{gap[i]:.3f};{reactive[i]:.3f};{voltage[i]:.2f};{intensity[i]:.1f};"
                             f"{sub[i, 0]:.3f};{sub[i, 1]:.3f};{sub[i, 2]:.3f}\n")
    copy = _copy(out, corpus / "birkbeck_power_lstm_shipped_model" / "data" / "household_power_consumption.txt")
    return [out, copy]


STANDINS = {
    "bielos_addition_seq2seq": bielos_additions,
    "sanot_convlstm_scenes": sanot_scenes,
    "kamran_weather_stacked_lstm": kamran_weather,
    "uoh_load_unscaled_lstm": uoh_load_copy,
    "liuwei_shakespeare_char_lstm": liuwei_shakespeare,
    "birkbeck_power_lstm_train": birkbeck_household_power,
}


class MissingSource(Exception):
    pass


def _source(path: Path) -> Path:
    if not path.exists():
        raise MissingSource(f"{path} is missing: collect the entry's files as SOURCES.md says first")
    return path


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_source(source), target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder (default evaluation/corpus/probe)")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME", help="make only these entries' stand-ins")
    args = parser.parse_args(argv)
    failed = 0
    for name, make in STANDINS.items():
        if args.only is not None and name not in args.only:
            continue
        if not (args.corpus / name).is_dir():
            print(f"{name}: no folder {args.corpus / name} (collect the entry first)", file=sys.stderr)
            failed += 1
            continue
        try:
            made = make(args.corpus)
        except MissingSource as error:
            print(f"{name}: {error}", file=sys.stderr)
            failed += 1
            continue
        for path in made:
            print(f"{name}: wrote {path.relative_to(args.corpus)} ({path.stat().st_size} bytes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
