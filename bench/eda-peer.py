# The Python peer for bench:eda: pandas doing the profile's work on the same file, timed in-process.
import json, resource, sys, time
import numpy as np
import pandas as pd

path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    num = df.select_dtypes(include='number')
    desc = num.describe(percentiles=[0.05, 0.25, 0.5, 0.75, 0.95])
    skew, kurt = num.skew(), num.kurt()
    missing = df.isna().sum()
    distinct = df.nunique()
    tops = {c: df[c].value_counts().head(10) for c in df.columns if c not in num.columns}
    hists = {c: np.histogram(num[c].dropna().to_numpy(), bins=30) for c in num.columns}
    # Same scope as Assay: correlations over the first 50 numeric columns (Assay's MAX_CORRELATION_COLUMNS).
    first = num.iloc[:, :50]
    pearson = first.corr(method='pearson')
    spearman = first.sample(n=min(100_000, len(first)), random_state=1).corr(method='spearman')
    dups = int(df.duplicated().sum())
    times.append(time.perf_counter() - t0)
    del df, num
print(json.dumps({'pandas': pd.__version__, 'times_s': times, 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
