# The Python peer for bench:ml. Modes:
#   export DIR              write scikit-learn's bundled datasets (breast_cancer, wine, diabetes, iris) as CSV
#   cv SPEC.json            HistGradientBoosting on the same rows, features and folds as Assay; prints JSON
#   fit SPEC.json           time one HistGradientBoosting fit of a whole table (median of 3); prints JSON
import json, sys, time
import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import f1_score, r2_score, roc_auc_score

def export(out):
    for name, loader, task in [('breast_cancer', datasets.load_breast_cancer, 'classification'), ('wine', datasets.load_wine, 'classification'),
                               ('diabetes', datasets.load_diabetes, 'regression'), ('iris', datasets.load_iris, 'classification')]:
        d = loader(as_frame=True)
        df = d.frame.rename(columns={'target': 'label'})
        if task == 'classification':
            df['label'] = [f'class_{v}' for v in df['label']]
        df.to_csv(f'{out}/{name}.csv', index=False)
    print('{}')

def frame(spec):
    df = pd.read_csv(spec['csv'])
    X = df[spec['features']].copy()
    for c in spec['categorical']:
        X[c] = X[c].astype('category')
    return X, df[spec['target']]

def model(spec):
    cls = HistGradientBoostingClassifier if spec['task'] == 'classification' else HistGradientBoostingRegressor
    return cls(categorical_features='from_dtype', random_state=spec['seed'])

def cv(spec):
    X, y = frame(spec)
    folds = np.array(spec['folds'])
    scores, fit_s = [], []
    for f in range(folds.max() + 1):
        train, test = folds != f, folds == f
        m = model(spec)
        t0 = time.perf_counter(); m.fit(X[train], y[train]); fit_s.append(time.perf_counter() - t0)
        if spec['metric'] == 'r2':
            scores.append(r2_score(y[test], m.predict(X[test])))
        elif spec['metric'] == 'roc_auc':
            scores.append(roc_auc_score(y[test] == m.classes_[1], m.predict_proba(X[test])[:, 1]))
        else:
            scores.append(f1_score(y[test], m.predict(X[test]), average='macro'))
    print(json.dumps({'score': float(np.mean(scores)), 'fit_s': fit_s}))

def fit(spec):
    X, y = frame(spec)
    times = []
    for _ in range(3):
        m = model(spec)
        t0 = time.perf_counter(); m.fit(X, y); times.append(time.perf_counter() - t0)
    print(json.dumps({'fit_s': times, 'iterations': int(m.n_iter_)}))

mode, arg = sys.argv[1], sys.argv[2]
{'export': export, 'cv': lambda a: cv(json.load(open(a))), 'fit': lambda a: fit(json.load(open(a)))}[mode](arg)
