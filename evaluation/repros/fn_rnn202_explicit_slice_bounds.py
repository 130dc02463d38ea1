import pandas as pd
from sklearn.preprocessing import MinMaxScaler

dataset = pd.read_csv("airline-passengers.csv", usecols=[1]).values.astype("float32")
scaler = MinMaxScaler(feature_range=(0, 1))
dataset = scaler.fit_transform(dataset)          # fit on all 144 months
train_size = int(len(dataset) * 0.67)
train, test = dataset[0:train_size, :], dataset[train_size:len(dataset), :]
