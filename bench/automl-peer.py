# The Python peers of bench:ml's AutoML table: FLAML (same time budget) and LightGBM with default parameters,
# fitted on the same 80% of the rows Assay trains on and scored once on the same 20%. Prints JSON.
#   python automl-peer.py SPEC.json    SPEC: {train, test, target, task, metric, budget, seed}
import json, sys, time, warnings
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, r2_score, roc_auc_score

warnings.filterwarnings('ignore')

def load(spec):
    train, test = pd.read_csv(spec['train']), pd.read_csv(spec['test'])
    y_tr, y_te = train.pop(spec['target']), test.pop(spec['target'])
    # Text columns as pandas categories (LightGBM's and FLAML's way of taking them), on the union of values.
    for c in train.columns:
        if train[c].dtype == object or test[c].dtype == object:
            cats = pd.Categorical(pd.concat([train[c], test[c]]).astype(str)).categories
            train[c] = pd.Categorical(train[c].astype(str), categories=cats)
            test[c] = pd.Categorical(test[c].astype(str), categories=cats)
    if spec['task'] == 'classification':
        y_tr, y_te = y_tr.astype(str), y_te.astype(str)
    return train, y_tr, test, y_te

def score(spec, m, X, y):
    if spec['metric'] == 'r2':
        return float(r2_score(y, m.predict(X)))
    if spec['metric'] == 'roc_auc':
        classes = list(m.classes_)
        return float(roc_auc_score(y == spec['positive'], m.predict_proba(X)[:, classes.index(spec['positive'])]))
    return float(f1_score(y, m.predict(X), average='macro'))

def main(spec):
    X, y, Xt, yt = load(spec)
    out = {}
    import lightgbm as lgb
    m = (lgb.LGBMClassifier if spec['task'] == 'classification' else lgb.LGBMRegressor)(random_state=spec['seed'], verbose=-1)
    t0 = time.perf_counter(); m.fit(X, y); out['lgbm_s'] = time.perf_counter() - t0
    out['lgbm'] = score(spec, m, Xt, yt)
    from flaml import AutoML
    a = AutoML()
    metric = {'r2': 'r2', 'roc_auc': 'roc_auc', 'macro_f1': 'macro_f1'}[spec['metric']]
    t0 = time.perf_counter()
    a.fit(X, y, task='classification' if spec['task'] == 'classification' else 'regression', metric=metric, time_budget=spec['budget'], seed=spec['seed'], verbose=0, n_jobs=2)
    out['flaml_s'] = time.perf_counter() - t0
    out['flaml'] = score(spec, a, Xt, yt)
    out['flaml_best'] = a.best_estimator
    print(json.dumps(out))

main(json.load(open(sys.argv[1])))
