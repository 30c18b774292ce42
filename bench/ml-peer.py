# The Python peer for bench:ml. Modes:
#   export DIR              write scikit-learn's bundled datasets (breast_cancer, wine, diabetes, iris) as CSV
#   cv SPEC.json            HistGradientBoosting on the same rows, features and folds as Assay; prints JSON
#   fit SPEC.json           time one HistGradientBoosting and one LightGBM (defaults) fit of a whole table; prints JSON
#   stage SPEC.json         the train stage's work for one GBDT on a two-class table, timed for HistGradientBoosting and
#                           for LightGBM: CV on the given folds (-1 = test rows), a fit on the non-test rows scored on
#                           the test rows, permutation importance on up to 5,000 test rows, a refit on every row,
#                           partial dependence of 3 features on 200 rows; SHAP of 200 rows: LightGBM's own TreeSHAP
#                           (pred_contrib), the `shap` package's TreeExplainer for scikit-learn (skipped if not installed)
import json, sys, time
import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import partial_dependence, permutation_importance
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

def lgbm(spec):
    import lightgbm
    return lightgbm.LGBMClassifier(verbose=-1, random_state=spec['seed'])

def fit(spec):
    X, y = frame(spec)
    m = model(spec)
    t0, c0 = time.perf_counter(), time.process_time(); m.fit(X, y); sk, skc = time.perf_counter() - t0, time.process_time() - c0
    lg = lgbm(spec)
    t0, c0 = time.perf_counter(), time.process_time(); lg.fit(X, y); lt, ltc = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({'fit_s': sk, 'fit_cpu': skc, 'iterations': int(m.n_iter_), 'lightgbm_s': lt, 'lightgbm_cpu': ltc, 'lightgbm_iterations': int(lg.n_estimators_)}))

def stage(spec):
    X, y = frame(spec)
    y = (y == spec['positive']).astype(int).to_numpy()
    folds = np.array(spec['folds'])
    test = folds == -1
    rng = np.random.default_rng(spec['seed'])
    out = {}
    try:
        import shap  # imported before the clock starts: its import alone takes seconds
    except ImportError:
        shap = None
    for name, make in [('sklearn', model), ('lightgbm', lgbm)]:
        t0, c0 = time.perf_counter(), time.process_time()
        scores = []
        for f in range(folds.max() + 1):
            m = make(spec).fit(X[(folds != f) & ~test], y[(folds != f) & ~test])
            scores.append(roc_auc_score(y[folds == f], m.predict_proba(X[folds == f])[:, 1]))
        em = make(spec).fit(X[~test], y[~test])
        test_score = roc_auc_score(y[test], em.predict_proba(X[test])[:, 1])
        held = np.flatnonzero(test)
        held = np.sort(rng.choice(held, 5000, replace=False)) if len(held) > 5000 else held
        imp = permutation_importance(em, X.iloc[held], y[held], scoring='roc_auc', n_repeats=1, random_state=spec['seed'])
        fm = make(spec).fit(X, y)
        sample = X.iloc[np.sort(rng.choice(len(X), 200, replace=False))]
        if name == 'lightgbm':
            fm.predict(sample, pred_contrib=True)
        elif shap is not None:
            shap.TreeExplainer(fm).shap_values(sample)
        for f in np.argsort(-imp.importances_mean)[:3]:
            partial_dependence(fm, sample, [int(f)], grid_resolution=20)
        out[name] = {'s': time.perf_counter() - t0, 'cpu': time.process_time() - c0, 'cv': float(np.mean(scores)), 'test': float(test_score),
                     'shap': name == 'lightgbm' or shap is not None}
    print(json.dumps(out))

mode, arg = sys.argv[1], sys.argv[2]
{'export': export, 'cv': lambda a: cv(json.load(open(a))), 'fit': lambda a: fit(json.load(open(a))),
 'stage': lambda a: stage(json.load(open(a)))}[mode](arg)
