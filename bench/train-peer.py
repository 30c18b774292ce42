# The Python peer for bench:train: scikit-learn's LogisticRegression on the same file, same task, 5-fold CV.
import json, sys, time
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

path, target = sys.argv[1], sys.argv[2]
df = pd.read_csv(path)
y = (df.pop(target) == 'yes').astype(int).to_numpy()
cats = [c for c in df.columns if df[c].dtype == object or df[c].dtype == bool]
nums = [c for c in df.columns if c not in cats]
fold_s, scores = [], []
for train, test in StratifiedKFold(5, shuffle=True, random_state=1).split(df, y):
    model = make_pipeline(ColumnTransformer([('n', StandardScaler(), nums), ('c', OneHotEncoder(handle_unknown='ignore'), cats)]),
                          LogisticRegression(max_iter=300))
    t0 = time.perf_counter()
    model.fit(df.iloc[train], y[train])
    fold_s.append(time.perf_counter() - t0)
    scores.append(roc_auc_score(y[test], model.predict_proba(df.iloc[test])[:, 1]))
print(json.dumps({'fold_s': fold_s, 'auc': sum(scores) / len(scores)}))
