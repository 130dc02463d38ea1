import math
import pandas as pd
from sklearn.preprocessing import MinMaxScaler
df = pd.read_csv("AAPL.csv")
data = df.filter(["Close"])
dataset = data.values
training_data_len = math.ceil(len(dataset) * .8)
scaler = MinMaxScaler(feature_range=(0, 1))
scaled_data = scaler.fit_transform(dataset)
train_data = scaled_data[0:training_data_len, :]
test_data = scaled_data[training_data_len - 60:, :]
