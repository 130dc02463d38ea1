import pandas as pd
from sklearn.preprocessing import StandardScaler
df = pd.read_csv("sensor.csv")
n = len(df)
train_df = df[0:int(n*0.7)]
val_df = df[int(n*0.7):int(n*0.9)]
test_df = df[int(n*0.9):]
train_mean = train_df.mean()
train_std = train_df.std()
scaler = StandardScaler().fit(df)
