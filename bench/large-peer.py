# The Python peer for bench:large: LightGBM 4.6 with its defaults on the same time-ordered split of flights-3m
# (train: the first 80% of rows by date, test: the last 20%), the date split into the parts Assay's trees read.
#   python bench/large-peer.py TRAIN.csv TEST.csv   → prints JSON {r2, seconds, rows}
import json, sys, time
import lightgbm as lgb
import pandas as pd
from sklearn.metrics import r2_score

def features(df):
    d = pd.to_datetime(df['date'])
    X = pd.DataFrame({'year': d.dt.year, 'month': d.dt.month, 'day_of_week': d.dt.dayofweek, 'day': d.dt.day,
                      'hour': d.dt.hour + d.dt.minute / 60, 'ordinal': (d - pd.Timestamp('1970-01-01')).dt.days,
                      'distance': df['distance'], 'origin': df['origin'].astype('category'), 'destination': df['destination'].astype('category')})
    return X

train, test = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
Xtr, Xte = features(train), features(test)
for c in ['origin', 'destination']:
    Xte[c] = pd.Categorical(Xte[c], categories=Xtr[c].cat.categories)
t0 = time.perf_counter()
m = lgb.LGBMRegressor(verbose=-1).fit(Xtr, train['delay'])
seconds = time.perf_counter() - t0
print(json.dumps({'r2': r2_score(test['delay'], m.predict(Xte)), 'seconds': seconds, 'rows': len(train)}))
